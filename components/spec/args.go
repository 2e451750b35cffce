// Package spec holds the components' arguments as data: their types, their
// defaults (named once, in defaults.go), their validation and the AWS names
// they derive. It registers nothing and imports no provider SDK, so what only
// plans or validates (stacks/config, the organizer) and its tests link none;
// package components registers the resources (eksctl's split of pkg/apis and
// the code that acts on it).
package spec

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/util/validation"
)

// FieldError is one invalid argument: which field, the value given and what
// is allowed. Field uses the lowerCamel name shared by the Args field and the
// stack config key, so stacks/config can report it under the config key.
type FieldError struct {
	Field   string
	Value   any
	Allowed string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s = %s: %s", e.Field, quote(e.Value), e.Allowed)
}

func quote(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case []string:
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%v", v)
}

// fieldErrors collects every problem in one set of args, so a user sees all
// of them at once rather than one per `pulumi up`.
type fieldErrors []error

func (f *fieldErrors) add(field string, value any, allowed string, args ...any) {
	*f = append(*f, &FieldError{Field: field, Value: value, Allowed: fmt.Sprintf(allowed, args...)})
}

func (f fieldErrors) err() error { return errors.Join(f...) }

// FieldErrors flattens an error returned by a Validate method into its FieldErrors.
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var fe *FieldError
	if errors.As(err, &fe) && fe == err {
		return []*FieldError{fe}
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			out = append(out, FieldErrors(e)...)
		}
	}
	return out
}

func parseIPv4Prefix(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, false
	}
	return p, true
}

// iamPrincipalArn matches IAM users and roles (with paths) in any partition.
var iamPrincipalArn = regexp.MustCompile(`^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:(role|user)/[\w+=,.@/-]+$`)

// ValidIAMPrincipalArn reports whether s is an IAM role or user ARN.
func ValidIAMPrincipalArn(s string) bool {
	return iamPrincipalArn.MatchString(s) && !strings.HasSuffix(s, "/")
}

// ValidKubernetesName reports whether s is a valid namespace or object name
// (an RFC 1123 label), by Kubernetes' own rules.
func ValidKubernetesName(s string) bool { return len(validation.IsDNS1123Label(s)) == 0 }

// validLabel reports whether key=value is a valid Kubernetes label (also the rule for taints).
func validLabel(key, value string) bool {
	return len(validation.IsQualifiedName(key)) == 0 && len(validation.IsValidLabelValue(value)) == 0
}

// sortedKeys returns a map's keys in order, for deterministic resource names and messages.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// regionPattern matches AWS region names in every partition (ap-northeast-2, us-gov-west-1, cn-north-1).
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$`)

// ValidRegion reports whether s looks like an AWS region name.
func ValidRegion(s string) bool { return regionPattern.MatchString(s) }

// AWS's tagging rules, the same for every service this program tags.
const (
	// MaxTags is how many tags AWS allows on one resource.
	MaxTags = 50
	// ComponentTags is the most tags a component adds to one resource of its
	// own (a subnet's Name, ELB role and kubernetes.io/cluster tags).
	ComponentTags = 3
	maxTagKey     = 128
	maxTagValue   = 256
)

// awsTagText is what AWS accepts in tag keys and values: letters, digits,
// spaces and _ . : / = + - @.
var awsTagText = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// ValidateTags checks tags that go on every resource against AWS's rules;
// budget is how many of the MaxTags they may take.
func ValidateTags(tags map[string]string, budget int) error {
	var errs fieldErrors
	for _, k := range sortedKeys(tags) {
		v := tags[k]
		switch {
		case k == "" || utf8.RuneCountInString(k) > maxTagKey:
			errs.add("tags", k, "want a tag key of 1 to %d characters", maxTagKey)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			errs.add("tags", k, "keys starting with aws: are reserved for AWS")
		case !awsTagText.MatchString(k):
			errs.add("tags", k, "want a tag key of letters, digits, spaces and _ . : / = + - @")
		}
		if utf8.RuneCountInString(v) > maxTagValue {
			errs.add("tags", k+"="+v, "want a tag value of at most %d characters", maxTagValue)
		} else if !awsTagText.MatchString(v) {
			errs.add("tags", k+"="+v, "want a tag value of letters, digits, spaces and _ . : / = + - @")
		}
	}
	if len(tags) > budget {
		errs.add("tags", len(tags), "AWS allows %d tags on a resource; these tags may take %d of them", MaxTags, budget)
	}
	return errs.err()
}

// ptr returns a pointer to v, for the optional fields' defaults.
func ptr[T any](v T) *T { return &v }
