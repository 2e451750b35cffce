package room

import (
	"html/template"
	"io"
	"time"
)

// Board is what organizer serve shows: the room's stacks as status last
// read them, and each participant's handout. It holds what a report and a
// handout hold, and so no secret.
type Board struct {
	// Updated is when Rows were read; Refresh is how often the page reloads.
	Updated time.Time
	Refresh time.Duration
	Rows    []BoardRow
	// Err is why the last reading failed, if it did (the rows are older).
	Err string
}

// BoardRow is one stack on the board.
type BoardRow struct {
	Stack, Participant, Namespace, Status, URL, TimeLeft, LastError string
}

// BoardRows are a status report's rows as the board shows them.
func BoardRows(report Report) []BoardRow {
	rows := make([]BoardRow, len(report))
	for i, r := range report {
		rows[i] = BoardRow{Stack: r.Stack, Participant: r.Participant, Namespace: r.Namespace, Status: string(r.Status), URL: r.URL, TimeLeft: r.Detail}
		if r.Err != nil {
			rows[i].LastError = r.Err.Error()
		}
	}
	return rows
}

var boardPage = template.Must(template.New("board").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{{.Seconds}}">
<title>Workshop room</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3em .6em;text-align:left}.failed{background:#fdd}</style>
</head><body>
<h1>Workshop room</h1>
<p id="updated">Read {{.Board.Updated.UTC.Format "2006-01-02 15:04:05"}} UTC; this page reloads every {{.Seconds}} s.</p>
{{with .Board.Err}}<p class="failed" id="error">The last reading failed: {{.}}</p>{{end}}
<table id="room"><thead><tr><th>Stack</th><th>Participant</th><th>Namespace</th><th>State</th><th>URL</th><th>Last update; time left</th><th>Last error</th></tr></thead><tbody>
{{range .Board.Rows}}<tr{{if .LastError}} class="failed"{{end}}><td>{{.Stack}}</td><td>{{if .Participant}}<a href="/p/{{.Participant}}">{{.Participant}}</a>{{end}}</td><td>{{.Namespace}}</td><td>{{.Status}}</td><td>{{.URL}}</td><td>{{.TimeLeft}}</td><td>{{.LastError}}</td></tr>
{{end}}</tbody></table>
</body></html>
`))

var participantPage = template.Must(template.New("participant").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{{.Seconds}}">
<title>{{.Name}}: workshop environment</title>
<style>body{font-family:sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em}</style>
</head><body>
<p><a href="/">The room</a></p>
<pre id="handout">{{.Text}}</pre>
</body></html>
`))

// WriteBoard writes the room's page.
func WriteBoard(w io.Writer, b Board) error {
	return boardPage.Execute(w, struct {
		Board   Board
		Seconds int
	}{b, int(b.Refresh.Seconds())})
}

// WriteParticipantPage writes a participant's page: their handout.
func WriteParticipantPage(w io.Writer, h Handout, refresh time.Duration) error {
	return participantPage.Execute(w, struct {
		Name, Text string
		Seconds    int
	}{h.Participant, h.Text(), int(refresh.Seconds())})
}

// CommandServe serves the board; DefaultListen and DefaultRefresh are its
// address (loopback: the board is the organizer's) and reading interval.
const (
	CommandServe   = "serve"
	DefaultListen  = "127.0.0.1:8484"
	DefaultRefresh = 15 * time.Second
)
