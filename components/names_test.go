package components

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/internal/mocktest"
)

// A cluster name EKS accepts can still make pulumi-eks's cluster role name
// too long for IAM; NewEKSCluster says so before registering anything, and
// accepts the longest name that fits.
func TestEKSClusterRejectsNamesThatMakeIAMNamesTooLong(t *testing.T) {
	// IAM allows 64 characters; Pulumi appends 8 to the role name.
	fits := strings.Repeat("c", 64-8-len("-cluster-eksRole-role"))
	for _, tc := range []struct {
		name string
		ok   bool
	}{{fits, true}, {fits + "c", false}} {
		m := mocktest.New()
		err := m.Run("test", nil, func(ctx *pulumi.Context) error {
			args := clusterArgs(func(a *EKSClusterArgs) { a.ClusterName = tc.name })
			_, err := NewEKSCluster(ctx, tc.name, &args)
			return err
		})
		if tc.ok {
			if err != nil {
				t.Errorf("%d characters: %v", len(tc.name), err)
			}
			continue
		}
		for _, want := range []string{`name = "` + tc.name + `"`, "pulumi-eks's cluster IAM role", "AWS allows 64", "want at most 35 characters"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%d characters: error %v lacks %q", len(tc.name), err, want)
			}
		}
		if n := len(m.Resources()); n != 0 {
			t.Errorf("registered %d resources before rejecting the name", n)
		}
	}
}
