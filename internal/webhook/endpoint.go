package webhook

import (
	"net/http"
	"time"

	"github.com/google/uuid"
)

// Endpoint is where an organisation's events go.
type Endpoint struct {
	ID          uuid.UUID
	URL         string
	Description string
	Filter      []string // event types and wildcards; empty: every event
	Enabled     bool
	// DisabledReason says why the endpoint stopped on its own (410, failing for days); empty when
	// an admin disabled it or it is enabled.
	DisabledReason string
	FailingSince   *time.Time
	// Secret is only filled in when an endpoint is created or its secret rotated.
	Secret    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// EndpointChange is a change to an endpoint; nil fields stay as they are.
type EndpointChange struct {
	URL         *string
	Description *string
	Filter      *[]string
	Enabled     *bool
}

// Message is one event, sent to every endpoint that subscribed to its type.
type Message struct {
	ID         uuid.UUID // the webhook-id
	Type       string
	LeadID     uuid.UUID
	Payload    []byte // the body sent: {"type", "timestamp", "data"}
	CreatedAt  time.Time
	Deliveries []Delivery
}

// Delivery is one message to one endpoint and its outcome.
type Delivery struct {
	ID         uuid.UUID
	EndpointID uuid.UUID
	State      string // pending, sending, sent, failed, unknown
	Attempts   int
	LastError  string
	SentAt     *time.Time
}

// Attempt is one try of a delivery.
type Attempt struct {
	Attempt    int
	StartedAt  time.Time
	StatusCode int // 0: no answer
	Duration   time.Duration
	Response   string // the first KiB of the answer
	Error      string
}

// Request is one attempt to post a signed message.
type Request struct {
	URL    string
	Header http.Header
	Body   []byte
}

// Response is what an attempt got back.
type Response struct {
	StatusCode int // 0 when no answer came
	RetryAfter string
	Excerpt    string // the first KiB of the answer's body
	Duration   time.Duration
	Err        error // no answer: refused address, network error, timeout
}

// ExcerptMax bounds the part of an answer kept in the delivery log.
const ExcerptMax = 1024
