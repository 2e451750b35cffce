package room

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Participant is one person in the room. Each gets a stack of their own,
// named after them, with a namespace on the shared cluster.
type Participant struct {
	// Name names the participant's stack and, unless Namespace is set, their
	// namespace: a lowercase RFC 1123 label, e.g. "alice".
	Name string `yaml:"name"`
	// Namespace overrides the namespace. Optional.
	Namespace string `yaml:"namespace"`
	// PrincipalArn is the participant's IAM role or user. When set, the
	// cluster gets an access entry that lets it edit the namespace and
	// nothing else. Optional: without it only the organizer reaches it.
	PrincipalArn string `yaml:"principalArn"`
}

// EnvironmentNamespace is where the participant's environment lives:
// Namespace, or else Name.
func (p Participant) EnvironmentNamespace() string {
	if p.Namespace != "" {
		return p.Namespace
	}
	return p.Name
}

// participantsFile is the participants file: a YAML document with one list.
type participantsFile struct {
	Participants []Participant `yaml:"participants"`
}

// ReadParticipants reads a participants file:
//
//	participants:
//	  - name: alice
//	    principalArn: arn:aws:iam::111122223333:role/alice
//	  - name: bob
//	    namespace: team-bob
//
// Unknown keys are errors, so a misspelt principalArn is not silently dropped.
func ReadParticipants(path string) ([]Participant, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var file participantsFile
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("%s: %w (want participants: [{name, principalArn?, namespace?}])", path, err)
	}
	return file.Participants, nil
}

// ParseParticipant reads the command line's NAME[=PRINCIPAL_ARN].
func ParseParticipant(s string) Participant {
	name, arn, _ := strings.Cut(s, "=")
	return Participant{Name: name, PrincipalArn: arn}
}
