package spec

import (
	"net/netip"
	"strings"
	"testing"
)

// Every address net/netip classifies as not for the internet (private,
// loopback, link-local, multicast, unspecified) lies in a special-purpose
// range of the table: sampled at the first, middle and last address of
// every /16.
func TestSpecialPurposeRangesCoverNetip(t *testing.T) {
	for hi := 0; hi < 256; hi++ {
		for lo := 0; lo < 256; lo++ {
			for _, last := range [][2]byte{{0, 0}, {128, 1}, {255, 255}} {
				a := netip.AddrFrom4([4]byte{byte(hi), byte(lo), last[0], last[1]})
				notInternet := a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsUnspecified()
				if _, special := SpecialPurpose(netip.PrefixFrom(a, 32)); notInternet && !special {
					t.Fatalf("%s is not for the internet (net/netip) but in no special-purpose range", a)
				}
			}
		}
	}
}

func TestPublicAccessCIDRs(t *testing.T) {
	for _, c := range []struct {
		cidr string
		want string // "" for accepted
	}{
		{"203.0.113.0/24", "RFC 5737"}, // the committed prod's old placeholder
		{"198.51.100.7/32", "RFC 5737"},
		{"192.0.2.0/24", "RFC 5737"},
		{"10.1.0.0/16", "RFC 1918"},
		{"192.168.1.1/32", "RFC 1918"},
		{"100.64.0.0/10", "RFC 6598"},
		{"127.0.0.1/32", "loopback"},
		{"169.254.169.254/32", "link-local"},
		{"198.18.0.0/15", "benchmarking"},
		{"224.0.0.0/4", "multicast"},
		{"0.0.0.0/8", `"this network"`},
		{"203.0.113.0/25", "RFC 5737"}, // a part of a range is in it too
		{"203.0.113.1/24", "host bits zero"},
		{"2001:db8::/32", "IPv4 network CIDR"},
		// Negative controls: the internet, and public ranges beside the reserved ones.
		{"0.0.0.0/0", ""},
		{"54.180.0.10/32", ""},
		{"203.0.112.0/24", ""},
		{"192.0.3.0/24", ""},
		{"100.128.0.0/10", ""},
		{"0.0.0.0/1", ""}, // wider than any reserved range: also public addresses
	} {
		problem := publicCIDRProblem(c.cidr)
		switch {
		case c.want == "" && problem != "":
			t.Errorf("%s refused: %s", c.cidr, problem)
		case c.want != "" && !strings.Contains(problem, c.want):
			t.Errorf("%s: %q, want it refused naming %q", c.cidr, problem, c.want)
		case c.want != "" && strings.Contains(c.want, "RFC") && !strings.Contains(problem, "curl https://checkip.amazonaws.com"):
			t.Errorf("%s: %q does not say how to find the egress address", c.cidr, problem)
		}
	}
}
