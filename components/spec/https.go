package spec

import (
	"regexp"
)

// The ALB's HTTPS listener, as the AWS Load Balancer Controller's Ingress
// annotations set it (docs/guide/ingress/annotations.md of
// kubernetes-sigs/aws-load-balancer-controller v2.17.1, the chart's app
// version; read 2026-12-07): listen-ports lists both listeners,
// ssl-redirect turns the HTTP one into a 301 to HTTPS for every Ingress of
// the group, certificate-arn is the ACM certificate served. The TLS
// policy is ELB's recommended one, TLS 1.3 and 1.2 only
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html,
// read 2026-12-07); the controller's default, ELBSecurityPolicy-2016-08,
// still accepts TLS 1.0.
const (
	ALBListenPortsHTTPS = `[{"HTTP": 80}, {"HTTPS": 443}]`
	ALBSSLRedirectPort  = "443"
	ALBSSLPolicy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
)

// acmCertificateArn is an ACM certificate's ARN; its region is the first group.
var acmCertificateArn = regexp.MustCompile(`^arn:aws[a-z-]*:acm:([a-z]{2}(-[a-z]+)+-\d):\d{12}:certificate/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// CertificateRegion is the region of an ACM certificate ARN, "" if arn is not one.
func CertificateRegion(arn string) string {
	m := acmCertificateArn.FindStringSubmatch(arn)
	if m == nil {
		return ""
	}
	return m[1]
}

// ListenerAnnotations are the Ingress annotations of the ALB's listeners:
// HTTPS with CertificateArn, HTTP redirected to it; none (the controller's
// HTTP on 80) without.
func (ing AppIngress) ListenerAnnotations() map[string]string {
	if ing.CertificateArn == "" {
		return nil
	}
	return map[string]string{
		"alb.ingress.kubernetes.io/listen-ports":    ALBListenPortsHTTPS,
		"alb.ingress.kubernetes.io/ssl-redirect":    ALBSSLRedirectPort,
		"alb.ingress.kubernetes.io/certificate-arn": ing.CertificateArn,
		"alb.ingress.kubernetes.io/ssl-policy":      ALBSSLPolicy,
	}
}

// URLScheme is how clients reach the ALB: https with a certificate.
func (ing AppIngress) URLScheme() string {
	if ing.CertificateArn == "" {
		return "http"
	}
	return "https"
}
