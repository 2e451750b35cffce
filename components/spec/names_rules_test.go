package spec

import (
	"strings"
	"testing"
)

func TestPhysicalNameLengths(t *testing.T) {
	role := PhysicalName{What: "the node IAM role", Name: strings.Repeat("r", 56), Max: maxIAMRoleName, Autonamed: true}
	if role.Len() != 64 || role.Excess() != 0 {
		t.Errorf("56 characters autonamed: len %d, excess %d; want 64 and 0 (it just fits)", role.Len(), role.Excess())
	}
	alias := PhysicalName{What: "the alias", Name: strings.Repeat("a", 257), Max: maxKMSAliasName}
	if alias.Len() != 257 || alias.Excess() != 1 {
		t.Errorf("257 characters: len %d, excess %d", alias.Len(), alias.Excess())
	}
	if s := role.String(); s != `the node IAM role "`+role.Name+`" plus Pulumi's 8-character random suffix is 64 characters; AWS allows 64` {
		t.Errorf("String() = %s", s)
	}
	if s := alias.String(); strings.Contains(s, "suffix") || !strings.HasSuffix(s, "is 257 characters; AWS allows 256") {
		t.Errorf("String() = %s", s)
	}
}

func TestLongestPhysicalNameIsTheWorstOver(t *testing.T) {
	if _, over := LongestPhysicalName(nil); over {
		t.Error("no names, yet one is over")
	}
	fits := PhysicalName{Name: "fits", Max: 10}
	short := PhysicalName{Name: strings.Repeat("s", 11), Max: 10}
	worst := PhysicalName{Name: strings.Repeat("w", 8), Max: 10, Autonamed: true}
	exact := PhysicalName{Name: strings.Repeat("e", 10), Max: 10}
	if _, over := LongestPhysicalName([]PhysicalName{fits, exact}); over {
		t.Error("a name that fits, or just fits, is over")
	}
	for _, names := range [][]PhysicalName{{short, worst, fits}, {worst, short}, {fits, short, worst}} {
		if got, over := LongestPhysicalName(names); !over || got.Name != worst.Name {
			t.Errorf("worst of %v = %+v, %v; want the one 6 over", names, got, over)
		}
	}
	err := PhysicalNameError("clusterName", "eks-demo", []PhysicalName{short, worst})
	if err == nil || !strings.HasPrefix(err.Error(), `clusterName = "eks-demo": `) || !strings.HasSuffix(err.Error(), "want at most 2 characters here") {
		t.Errorf("error = %v, want eks-demo cut by the worst excess, 6, to 2", err)
	}
	if err := PhysicalNameError("clusterName", "x", []PhysicalName{fits}); err != nil {
		t.Errorf("names that fit: %v", err)
	}
}

func TestValidateTagsLimits(t *testing.T) {
	type c = ruleCase[map[string]string]
	budget := func(n int) func(map[string]string) error {
		return func(tags map[string]string) error { return ValidateTags(tags, n) }
	}
	checkRules(t, budget(2), []c{
		{"a key of 128", map[string]string{strings.Repeat("k", 128): "v"}, nil, ""},
		{"a key of 129", map[string]string{strings.Repeat("k", 129): "v"}, []string{"tags"}, "1 to 128"},
		{"a value of 256", map[string]string{"k": strings.Repeat("v", 256)}, nil, ""},
		{"a value of 257", map[string]string{"k": strings.Repeat("v", 257)}, []string{"tags"}, "at most 256"},
		{"a value in Korean", map[string]string{"팀": "웹 개발"}, nil, ""},
		{"the budget", map[string]string{"a": "1", "b": "2"}, nil, ""},
		{"over the budget", map[string]string{"a": "1", "b": "2", "c": "3"}, []string{"tags"}, "tags = 3"},
		{"a bad key and a bad value", map[string]string{"k!": "v;"}, []string{"tags", "tags"}, ""},
	})
}

func TestRegionsAndPrincipals(t *testing.T) {
	for region, want := range map[string]bool{"ap-northeast-2": true, "us-gov-west-1": true, "cn-north-1": true, "us-isob-east-1": true, "Seoul": false, "ap-northeast": false} {
		if ValidRegion(region) != want {
			t.Errorf("ValidRegion(%q) = %v", region, !want)
		}
	}
	for arn, want := range map[string]bool{admin: true, "arn:aws-cn:iam::123456789012:user/path/bob": true, "arn:aws:iam::12345678901:role/A": false, "arn:aws:iam::123456789012:group/A": false} {
		if ValidIAMPrincipalArn(arn) != want {
			t.Errorf("ValidIAMPrincipalArn(%q) = %v", arn, !want)
		}
	}
}
