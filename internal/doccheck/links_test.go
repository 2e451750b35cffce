package doccheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var linkPattern = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// Every relative link of the user documentation reaches a file of the
// tree, and a #fragment one of its headings, as GitHub names them.
func TestLinksResolve(t *testing.T) {
	for _, file := range userDocs(t) {
		text, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, problem := range brokenLinks(file, string(text)) {
			t.Errorf("%s: %s", file, problem)
		}
	}
}

func TestBrokenLinksFindsAMissingPageAndHeading(t *testing.T) {
	text := "[ok](deploying.md#configuration) [same](#x) [web](https://example.com)\n## X\n" +
		"[gone](nothing.md) [bad anchor](deploying.md#no-such-heading) [later](mutation.md)\n"
	got := brokenLinks("docs/page.md", text)
	if len(got) != 2 || !strings.Contains(got[0], "nothing.md") || !strings.Contains(got[1], "no-such-heading") {
		t.Errorf("brokenLinks = %q, want the missing page and the missing heading", got)
	}
}

// brokenLinks lists the relative links of a document (at path file, from
// the repository root) that reach nothing, outside code blocks.
func brokenLinks(file, text string) []string {
	var out []string
	for _, target := range links(text) {
		if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
			continue
		}
		page, fragment, _ := strings.Cut(target, "#")
		if page == "" {
			if !hasAnchor(text, fragment) {
				out = append(out, target+": no such heading")
			}
			continue
		}
		resolved := filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(file), page)))
		content, err := os.ReadFile(filepath.Join(root, resolved))
		if err != nil {
			if info, statErr := os.Stat(filepath.Join(root, resolved)); statErr == nil && info.IsDir() {
				continue
			}
			out = append(out, target+": no such file")
			continue
		}
		if fragment != "" && !hasAnchor(string(content), fragment) {
			out = append(out, target+": no such heading")
		}
	}
	return out
}

// links are the link targets outside fenced code blocks.
func links(text string) []string {
	var out []string
	for _, line := range prose(text) {
		for _, m := range linkPattern.FindAllStringSubmatch(line, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// hasAnchor reports whether a heading of text has the GitHub anchor.
func hasAnchor(text, anchor string) bool {
	for _, line := range prose(text) {
		if heading, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " "); ok && strings.HasPrefix(line, "#") && slug(heading) == anchor {
			return true
		}
	}
	return false
}

var notInSlug = regexp.MustCompile(`[^\p{L}\p{N} _-]`)

// slug is GitHub's anchor of a heading: lower case, punctuation dropped,
// spaces as hyphens.
func slug(heading string) string {
	return strings.ReplaceAll(notInSlug.ReplaceAllString(strings.ToLower(strings.TrimSpace(heading)), ""), " ", "-")
}

// prose is the lines of text outside ``` fences.
func prose(text string) []string {
	var out []string
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			out = append(out, line)
		}
	}
	return out
}
