package cost

import (
	"fmt"
	"time"
)

// Calendar is the EKS Kubernetes release calendar of prices.yaml: when each
// version's standard and extended support end.
type Calendar struct {
	Source   string                  `yaml:"source"`
	Note     string                  `yaml:"note"`
	Versions map[string]VersionDates `yaml:"versions"`
}

// VersionDates are one version's dates, YYYY-MM-DD in UTC.
type VersionDates struct {
	Release       string `yaml:"release"`
	EndOfStandard string `yaml:"endOfStandard"`
	EndOfExtended string `yaml:"endOfExtended"`
}

// Support is a version's support state on a day.
type Support string

// The support states; only the first two can be billed.
const (
	SupportStandard   Support = "standard support"
	SupportExtended   Support = "extended support"
	SupportUnreleased Support = "not yet released"
	SupportEnded      Support = "past the end of extended support"
)

// SupportState is version's support state on day: extended support (and its
// rate) starts at the beginning of the end-of-standard-support day, UTC.
func (c Calendar) SupportState(version string, day time.Time) (Support, VersionDates, error) {
	d, ok := c.Versions[version]
	if !ok {
		return "", d, fmt.Errorf("Kubernetes %s is not in the EKS release calendar (%s)", version, c.Source)
	}
	release, endStandard, endExtended := mustDate(d.Release), mustDate(d.EndOfStandard), mustDate(d.EndOfExtended)
	switch {
	case day.Before(release):
		return SupportUnreleased, d, nil
	case day.Before(endStandard):
		return SupportStandard, d, nil
	case day.Before(endExtended):
		return SupportExtended, d, nil
	}
	return SupportEnded, d, nil
}

func (c Calendar) check() error {
	if c.Source == "" || len(c.Versions) == 0 {
		return fmt.Errorf("price table: the calendar needs a source and versions")
	}
	for v, d := range c.Versions {
		for _, s := range []string{d.Release, d.EndOfStandard, d.EndOfExtended} {
			if _, err := time.Parse(time.DateOnly, s); err != nil {
				return fmt.Errorf("price table: calendar %s: date %q: want YYYY-MM-DD", v, s)
			}
		}
	}
	return nil
}

// mustDate parses a date check has accepted.
func mustDate(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}
