// Package ci holds the tests of the repository's CI: the GitHub workflows
// (.github/workflows), Dependabot's configuration, the scripts the
// workflows run (tools/ci-access-check.sh) and the test command's tiers
// (tools/test.sh). It has no code of its own; the rules its workflow tests
// keep are docs/security.md's.
package ci
