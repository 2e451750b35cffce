package components

import (
	"fmt"

	"github.com/pulumi/pulumi-tls/sdk/v5/go/tls"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// webhookCertificate is a CA and the serving certificate it signs for an
// admission webhook's Service, made by the pulumi-tls provider and kept in
// the stack's state, so it stays the same from one `pulumi up` to the next.
type webhookCertificate struct {
	caCertPem, certPem, keyPem pulumi.StringOutput
}

// webhookCertificateValidityHours is ten years, as the charts' own genCA and
// genSignedCert use (3650 days). A `pulumi up` within the last 30 days renews it.
const (
	webhookCertificateValidityHours = 10 * 365 * 24
	webhookCertificateRenewalHours  = 30 * 24
)

// WebhookDNSNames are the names the API server may use to reach a webhook
// Service, as the aws-load-balancer-controller chart lists them.
func WebhookDNSNames(service, namespace string) []string {
	return []string{
		fmt.Sprintf("%s.%s", service, namespace),
		fmt.Sprintf("%s.%s.svc", service, namespace),
		fmt.Sprintf("%s.%s.svc.cluster.local", service, namespace),
	}
}

func newWebhookCertificate(ctx *pulumi.Context, name, service, namespace string, opts ...pulumi.ResourceOption) (*webhookCertificate, error) {
	caKey, err := tls.NewPrivateKey(ctx, name+"-ca", &tls.PrivateKeyArgs{
		Algorithm: pulumi.String("ECDSA"), EcdsaCurve: pulumi.String("P256"),
	}, opts...)
	if err != nil {
		return nil, err
	}
	ca, err := tls.NewSelfSignedCert(ctx, name+"-ca", &tls.SelfSignedCertArgs{
		PrivateKeyPem:       caKey.PrivateKeyPem,
		IsCaCertificate:     pulumi.Bool(true),
		Subject:             tls.SelfSignedCertSubjectArgs{CommonName: pulumi.String(service + "-ca")},
		ValidityPeriodHours: pulumi.Int(webhookCertificateValidityHours),
		EarlyRenewalHours:   pulumi.Int(webhookCertificateRenewalHours),
		AllowedUses:         pulumi.ToStringArray([]string{"cert_signing", "crl_signing", "digital_signature"}),
	}, opts...)
	if err != nil {
		return nil, err
	}
	key, err := tls.NewPrivateKey(ctx, name, &tls.PrivateKeyArgs{
		Algorithm: pulumi.String("ECDSA"), EcdsaCurve: pulumi.String("P256"),
	}, opts...)
	if err != nil {
		return nil, err
	}
	dnsNames := WebhookDNSNames(service, namespace)
	request, err := tls.NewCertRequest(ctx, name, &tls.CertRequestArgs{
		PrivateKeyPem: key.PrivateKeyPem,
		DnsNames:      pulumi.ToStringArray(dnsNames),
		Subject:       tls.CertRequestSubjectArgs{CommonName: pulumi.String(dnsNames[1])},
	}, opts...)
	if err != nil {
		return nil, err
	}
	cert, err := tls.NewLocallySignedCert(ctx, name, &tls.LocallySignedCertArgs{
		CertRequestPem:      request.CertRequestPem,
		CaPrivateKeyPem:     caKey.PrivateKeyPem,
		CaCertPem:           ca.CertPem,
		ValidityPeriodHours: pulumi.Int(webhookCertificateValidityHours),
		EarlyRenewalHours:   pulumi.Int(webhookCertificateRenewalHours),
		AllowedUses:         pulumi.ToStringArray([]string{"server_auth", "digital_signature", "key_encipherment"}),
	}, opts...)
	if err != nil {
		return nil, err
	}
	return &webhookCertificate{caCertPem: ca.CertPem, certPem: cert.CertPem, keyPem: key.PrivateKeyPem}, nil
}

// values are the aws-load-balancer-controller chart's webhookTLS values (PEM;
// the chart base64-encodes them into its Secret and webhook caBundles).
func (c *webhookCertificate) values() pulumi.Map {
	return pulumi.Map{"caCert": c.caCertPem, "cert": c.certPem, "key": pulumi.ToSecret(c.keyPem)}
}
