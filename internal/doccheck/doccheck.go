// Package doccheck finds what a user's documentation must not say:
// references to the project's issue tracker, which a user cannot see, and
// phrases from the history of the machine a figure was measured on, which
// read like a diary. The documentation (README.md, docs/) and the tools'
// output are checked against it by tests.
package doccheck

import (
	"fmt"
	"regexp"
	"strings"
)

// rule is one kind of phrase that must not appear.
type rule struct {
	why     string
	pattern *regexp.Regexp
}

var rules = []rule{
	{"refers to the issue tracker", regexp.MustCompile(`(?i)\bissues?\s+#?\d+`)},
	{"refers to the issue tracker", regexp.MustCompile(`(?i)(^|[\s(\[])#\d+\b`)},
	{"refers to the issue tracker", regexp.MustCompile(`(?i)\b(the|this|that) issue\b`)},
	{"reads like a diary", regexp.MustCompile(`(?i)\bthis (2-core |two-core |shared |same )?machine\b`)},
	{"reads like a diary", regexp.MustCompile(`(?i)\b(recorded|measured) while\b`)},
	{"reads like a diary", regexp.MustCompile(`(?i)\bother (sessions|helpers|engineers)\b`)},
	{"reads like a diary", regexp.MustCompile(`(?i)\b(this|that) (morning|afternoon|evening)\b`)},
	{"reads like a diary", regexp.MustCompile(`(?i)\b(on a faster|slower) (morning|afternoon)\b`)},
	{"reads like a diary", regexp.MustCompile(`(?i)\bmy own\b|\bI (ran|measured|tried|built)\b`)},
}

// Finding is one phrase found, with its line.
type Finding struct {
	Line   int
	Phrase string
	Why    string
}

func (f Finding) String() string { return fmt.Sprintf("line %d: %q %s", f.Line, f.Phrase, f.Why) }

// Find returns every phrase of text that a rule forbids, in order.
func Find(text string) []Finding {
	var out []Finding
	for i, line := range strings.Split(text, "\n") {
		for _, r := range rules {
			for _, m := range r.pattern.FindAllString(line, -1) {
				out = append(out, Finding{Line: i + 1, Phrase: strings.TrimSpace(m), Why: r.why})
			}
		}
	}
	return out
}
