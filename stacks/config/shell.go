package config

import "mvdan.cc/sh/v3/syntax"

// shellLang is the shell the printed commands are quoted for: bash, which
// zsh and POSIX.1-2024's sh read the same way, $'...' included.
const shellLang = syntax.LangBash

// shellWord quotes s as one word of a shell command, so the commands the
// stack prints (the port-forwards, update-kubeconfig) run as printed,
// pasted or through eval: a kubeconfig path with a space, a profile named
// "my profile". Plain words stay as they are. Plan refuses the one thing no
// shell can quote, a NUL byte (checkShellWords), so Quote cannot fail here.
func shellWord(s string) string {
	q, _ := syntax.Quote(s, shellLang)
	return q
}

// checkShellWords: the settings printed into shell commands must be
// quotable, which only a NUL byte is not.
func (c Config) checkShellWords(p *problems) {
	words := []struct{ key, value string }{{"kubeContext", c.KubeContext}, {"aws:profile", c.AWS.Profile}}
	if KubeconfigIsPath(c.Kubeconfig) {
		words = append(words, struct{ key, value string }{"kubeconfig", c.Kubeconfig})
	}
	for _, w := range words {
		if _, err := syntax.Quote(w.value, shellLang); err != nil {
			p.add(w.key, w.value, "want no NUL byte: the stack prints it into shell commands, and no shell can quote one")
		}
	}
}
