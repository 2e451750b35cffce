package spec

import (
	"fmt"
	"net/netip"
)

// SpecialPurposeRange is an IPv4 range that no internet host sends from:
// a CIDR inside one admits nobody to a public endpoint.
type SpecialPurposeRange struct {
	Prefix netip.Prefix
	Name   string
	RFC    string
}

// SpecialPurposeRegistryURL is where SpecialPurposeRanges come from: IANA's
// IPv4 Special-Purpose Address Registry (RFC 6890 and the RFCs each row
// names), the entries whose "Globally Reachable" is False (AS112 and AMT,
// which are reachable, are left out), plus multicast from IANA's IPv4
// Multicast Address Space registry (a source address is never multicast).
// Compiled on SpecialPurposeRegistryDate; TestSpecialPurposeRangesCoverNetip
// checks it against net/netip's own classification.
const (
	SpecialPurposeRegistryURL  = "https://www.iana.org/assignments/iana-ipv4-special-registry/iana-ipv4-special-registry.xhtml"
	SpecialPurposeRegistryDate = "2026-12-04"
)

// SpecialPurposeRanges is the table.
var SpecialPurposeRanges = []SpecialPurposeRange{
	{netip.MustParsePrefix("0.0.0.0/8"), `"this network"`, "RFC 791"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private-use", "RFC 1918"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address space (carrier-grade NAT)", "RFC 6598"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback", "RFC 1122"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local", "RFC 3927"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private-use", "RFC 1918"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments", "RFC 6890"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation (TEST-NET-1)", "RFC 5737"},
	{netip.MustParsePrefix("192.88.99.0/24"), "deprecated 6to4 relay anycast", "RFC 7526"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private-use", "RFC 1918"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking", "RFC 2544"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation (TEST-NET-2)", "RFC 5737"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation (TEST-NET-3)", "RFC 5737"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast", "RFC 5771"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved", "RFC 1112"},
	{netip.MustParsePrefix("255.255.255.255/32"), "limited broadcast", "RFC 8190"},
}

// SpecialPurpose returns the special-purpose range p lies within, if any.
// A prefix wider than every such range (0.0.0.0/0, say) also holds public
// addresses and is not one.
func SpecialPurpose(p netip.Prefix) (SpecialPurposeRange, bool) {
	for _, r := range SpecialPurposeRanges {
		if p.Bits() >= r.Prefix.Bits() && r.Prefix.Contains(p.Addr()) {
			return r, true
		}
	}
	return SpecialPurposeRange{}, false
}

// FindEgressHint tells an operator how to find the address their `pulumi up`
// reaches AWS from, and how to allow it.
const FindEgressHint = "find the address `pulumi up` runs from with `curl https://checkip.amazonaws.com` " +
	"and allow it with `pulumi config set --path 'publicAccessCidrs[0]' <address>/32`"

// publicCIDRProblem says why c cannot admit anyone to a public endpoint, or "".
func publicCIDRProblem(c string) string {
	p, ok := parseIPv4Prefix(c)
	if !ok || p.Masked() != p {
		return "want an IPv4 network CIDR such as 54.180.0.0/16 (host bits zero)"
	}
	if r, special := SpecialPurpose(p); special {
		return fmt.Sprintf("%s is %s (%s, IANA special-purpose registry): no client on the internet has such an address, "+
			"so nothing, not even this stack's own Kubernetes provider, could reach the endpoint; %s", r.Prefix, r.Name, r.RFC, FindEgressHint)
	}
	return ""
}
