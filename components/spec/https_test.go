package spec

import (
	"maps"
	"slices"
	"testing"
)

const testCertificate = "arn:aws:acm:ap-northeast-2:123456789012:certificate/00000000-0000-4000-8000-000000000000"

func TestCertificateRegion(t *testing.T) {
	for arn, want := range map[string]string{
		testCertificate: "ap-northeast-2",
		"arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-00000000000f": "us-gov-west-1",
		"arn:aws:acm:ap-northeast-2:123456789012:certificate/00000000-0000-4000-8000-00000000000":        "", // short id
		"arn:aws:acm:ap-northeast-2:12345678901:certificate/00000000-0000-4000-8000-000000000000":        "", // short account
		"arn:aws:iam::123456789012:server-certificate/x":                                                 "",
		" " + testCertificate: "",
		testCertificate + " ": "",
		"":                    "",
	} {
		if got := CertificateRegion(arn); got != want {
			t.Errorf("CertificateRegion(%q) = %q, want %q", arn, got, want)
		}
	}
}

// With a certificate the ALB listens on both ports, redirects HTTP to
// HTTPS and serves TLS 1.2+ only; without one it keeps the controller's
// plain HTTP listener.
func TestListenerAnnotations(t *testing.T) {
	https := AppIngress{CertificateArn: testCertificate}
	want := map[string]string{
		"alb.ingress.kubernetes.io/listen-ports":    `[{"HTTP": 80}, {"HTTPS": 443}]`,
		"alb.ingress.kubernetes.io/ssl-redirect":    "443",
		"alb.ingress.kubernetes.io/certificate-arn": testCertificate,
		"alb.ingress.kubernetes.io/ssl-policy":      "ELBSecurityPolicy-TLS13-1-2-2021-06",
	}
	if got := https.ListenerAnnotations(); !maps.Equal(got, want) {
		t.Errorf("annotations = %v, want %v", got, want)
	}
	if got := (AppIngress{}).ListenerAnnotations(); got != nil {
		t.Errorf("no certificate: annotations %v", got)
	}
	if https.URLScheme() != "https" || (AppIngress{}).URLScheme() != "http" {
		t.Errorf("schemes %s and %s", https.URLScheme(), AppIngress{}.URLScheme())
	}
}

func TestCertificateArnRule(t *testing.T) {
	app := func(arn string) AppArgs {
		return AppArgs{Name: "web", Namespace: "ns", ContainerPort: 8080, Ingress: &AppIngress{CertificateArn: arn}}
	}
	if err := app(testCertificate).Validate(); err != nil {
		t.Errorf("a certificate: %v", err)
	}
	if err := app("").Validate(); err != nil {
		t.Errorf("no certificate: %v", err)
	}
	errs := FieldErrors(app("arn:aws:acm:ap-northeast-2:123456789012:certificate/x").Validate())
	if len(errs) != 1 || errs[0].Field != "ingress.certificateArn" {
		t.Errorf("a bad certificate: %v", errs)
	}
}

func TestSecretsKeyDeletionWindowRule(t *testing.T) {
	base := EKSClusterArgs{ClusterName: "c", KubernetesVersion: KubernetesCalendar[len(KubernetesCalendar)-1].Version}
	for days, ok := range map[int]bool{0: true, 6: false, 7: true, 30: true, 31: false, -1: false} {
		a := base
		a.SecretsKeyDeletionWindowDays = days
		errs := FieldErrors(a.Validate())
		fields := []string{}
		for _, e := range errs {
			fields = append(fields, e.Field)
		}
		if got := !slices.Contains(fields, "secretsKeyDeletionWindowDays"); got != ok {
			t.Errorf("%d days: problems %v, want ok %v", days, fields, ok)
		}
	}
	if got := base.WithDefaults().SecretsKeyDeletionWindowDays; got != 30 {
		t.Errorf("default window %d, want KMS's longest, 30", got)
	}
}
