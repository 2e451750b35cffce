// Command egresscheck stops a CI deploy that could not reach the cluster's
// API: it checks that an address, the runner's egress address, is one the
// stack's public endpoint admits (publicAccessCidrs, as Pulumi.yaml's
// default and Pulumi.<stack>.yaml set it), before anything is touched.
//
//	go run ./cmd/egresscheck -stack prod -ip "$(curl -fsS https://checkip.amazonaws.com)"
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/eks-workshop/eks-workshop/stacks/config"
	"github.com/eks-workshop/eks-workshop/synth"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "egresscheck:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("egresscheck", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stack := flags.String("stack", "", "the stack whose Pulumi.<stack>.yaml lists publicAccessCidrs")
	ip := flags.String("ip", "", "the runner's egress address")
	root := flags.String("root", ".", "the repository root, where Pulumi.yaml is")
	if err := flags.Parse(args); err != nil {
		return err
	}
	addr, err := netip.ParseAddr(strings.TrimSpace(*ip))
	if err != nil || *stack == "" {
		return fmt.Errorf("want -stack and -ip <an IP address>, got -stack %q -ip %q", *stack, *ip)
	}
	settings, err := synth.StackConfig(*root, *stack)
	if err != nil {
		return err
	}
	cidr, err := admittedBy(settings, addr)
	if err != nil {
		return fmt.Errorf("stack %s: %w", *stack, err)
	}
	fmt.Fprintf(stdout, "%s is in publicAccessCidrs (%s): the runner reaches stack %s's API\n", addr, cidr, *stack)
	return nil
}

// admittedBy is the publicAccessCidrs entry of settings (config keys as the
// CLI hands them to the program) that admits addr, or an error that says
// what to change.
func admittedBy(settings map[string]string, addr netip.Addr) (string, error) {
	key := config.ProjectName + ":publicAccessCidrs"
	if settings[config.ProjectName+":endpointPublicAccess"] == "false" {
		return "", fmt.Errorf("endpointPublicAccess is false: no runner outside the VPC reaches the API")
	}
	var cidrs []string
	if err := json.Unmarshal([]byte(settings[key]), &cidrs); err != nil {
		return "", fmt.Errorf("%s = %q: want a list of CIDRs (%v)", key, settings[key], err)
	}
	for _, c := range cidrs {
		if prefix, err := netip.ParsePrefix(c); err == nil && prefix.Contains(addr) {
			return c, nil
		}
	}
	return "", fmt.Errorf("the runner's egress address %s is not in %s %q: the deploy would time out on the Kubernetes API. "+
		"Run the job where its address is listed, or list it: pulumi config set --path 'publicAccessCidrs[%d]' %s/32 --stack <stack>, and commit the stack file",
		addr, key, cidrs, len(cidrs), addr)
}
