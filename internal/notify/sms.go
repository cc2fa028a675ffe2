package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/relancehq/relance/internal/relance"
)

// SMS sends text messages through a Twilio-style REST API:
// POST {base}/2010-04-01/Accounts/{account}/Messages.json with To, From and Body, basic auth.
type SMS struct {
	base    string
	account string
	token   string
	from    string
	client  *http.Client
}

// NewSMS returns an SMS sender for the provider at base.
func NewSMS(base, account, token, from string) *SMS {
	return &SMS{
		base: strings.TrimRight(base, "/"), account: account, token: token, from: from,
		client: &http.Client{Timeout: 15 * time.Second},
	}
}

// Send sends one SMS and returns the provider's message id. A 4xx answer (but 429) is a
// permanent failure; network errors, 429 and 5xx may succeed later.
func (s *SMS) Send(ctx context.Context, msg relance.Message) (string, error) {
	form := url.Values{"To": {msg.To}, "From": {s.from}, "Body": {msg.Text}}
	endpoint := fmt.Sprintf("%s/2010-04-01/Accounts/%s/Messages.json", s.base, url.PathEscape(s.account))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", relance.Permanent(err)
	}
	req.SetBasicAuth(s.account, s.token)
	if msg.ID != "" {
		// Providers that honour it send a retried message once.
		req.Header.Set("Idempotency-Key", msg.ID)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("sms provider: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		err := fmt.Errorf("sms provider: %s: %s", resp.Status, strings.TrimSpace(string(body)))
		if resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusTooManyRequests {
			return "", relance.Permanent(err)
		}
		return "", err
	}
	var out struct {
		SID string `json:"sid"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.SID == "" {
		// It was accepted; only the id is missing. Sending again would send twice.
		return "", nil
	}
	return out.SID, nil
}
