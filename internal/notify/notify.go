// Package notify holds the outgoing channels: email through SMTP, SMS through a Twilio-style
// HTTP provider, and push through FCM and Web Push. Each implements relance.Sender; Router picks
// one per message.
package notify

import (
	"context"
	"fmt"

	"github.com/relancehq/relance/internal/relance"
)

// Router sends each message through the sender of its channel.
type Router struct {
	Email relance.Sender
	SMS   relance.Sender
	Push  relance.Sender
}

// Send sends m through its channel's sender. A channel with no sender configured is a
// permanent failure: retrying will not configure it.
func (r Router) Send(ctx context.Context, m relance.Message) (string, error) {
	var s relance.Sender
	switch m.Channel {
	case relance.ChannelEmail:
		s = r.Email
	case relance.ChannelSMS:
		s = r.SMS
	case relance.ChannelPush:
		s = r.Push
	}
	if s == nil {
		return "", relance.Permanent(fmt.Errorf("no %s channel configured", m.Channel))
	}
	return s.Send(ctx, m)
}
