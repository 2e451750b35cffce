// Package ci holds the tests of the repository's CI: the GitHub workflows
// (.github/workflows), Dependabot's configuration and the scripts the
// workflows run (tools/ci-access-check.sh). It has no code of its own; the
// rules its tests keep are docs/security.md's.
package ci
