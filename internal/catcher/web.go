package catcher

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
)

func (c *Catcher) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", c.page)
	mux.HandleFunc("GET /api/messages", c.list)
	mux.HandleFunc("POST /sms/2010-04-01/Accounts/{account}/Messages.json", c.sms)
	c.pushRoutes(mux)
	return mux
}

// sms accepts a message the way a Twilio-style provider does.
func (c *Catcher) sms(w http.ResponseWriter, r *http.Request) {
	if status := c.nextSMSFailure(); status != 0 {
		http.Error(w, `{"message":"injected failure"}`, status)
		return
	}
	user, _, ok := r.BasicAuth()
	if !ok || user != r.PathValue("account") {
		http.Error(w, `{"message":"authentication required"}`, http.StatusUnauthorized)
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("To") == "" || r.PostForm.Get("Body") == "" {
		http.Error(w, `{"message":"To and Body are required"}`, http.StatusBadRequest)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	id := c.addSMS(key, Message{Channel: "sms", From: r.PostForm.Get("From"), To: []string{r.PostForm.Get("To")},
		Text: r.PostForm.Get("Body"), MessageID: key})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"sid":"SM%032d","status":"queued"}`, id)
}

func (c *Catcher) list(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(c.Messages())
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Relance — outbox</title>
<meta http-equiv="refresh" content="5">
<style>body{font-family:sans-serif;margin:2em;max-width:60em}article{border:1px solid #ccc;border-radius:6px;padding:1em;margin:1em 0}
.meta{color:#555;font-size:.9em}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}iframe{width:100%;height:20em;border:1px solid #eee}</style>
</head><body>
<h1>Outbox</h1>
<p>Every email, SMS and FCM push Relance sent in this dev session ({{len .}}), newest first. This page refreshes itself.</p>
{{range .}}<article>
<div class="meta">#{{.ID}} · {{.Channel}}{{if eq .Channel "push"}} ({{.From}}){{end}} · {{.At.Format "15:04:05"}} · to {{range .To}}{{.}} {{end}}{{if .URL}} · opens {{.URL}}{{end}}</div>
{{if .Subject}}<h3>{{.Subject}}</h3>{{end}}
{{if .HTML}}<iframe sandbox srcdoc="{{.HTML}}"></iframe>{{else}}<pre>{{.Text}}</pre>{{end}}
</article>{{else}}<p><em>Nothing sent yet.</em></p>{{end}}
</body></html>`))

func (c *Catcher) page(w http.ResponseWriter, _ *http.Request) {
	msgs := c.Messages()
	slices.Reverse(msgs)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTemplate.Execute(w, msgs)
}
