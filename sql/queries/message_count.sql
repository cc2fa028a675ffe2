-- name: MessageCountLock :many
-- Locks (creating them at 0) the organisation's and the recipient's counters of a channel for a
-- day, and returns them; the organisation's row (recipient '') comes first.
INSERT INTO message_counts (org_id, day, channel, recipient)
VALUES (@org_id, @day, @channel, ''), (@org_id, @day, @channel, @recipient::text)
ON CONFLICT (org_id, day, channel, recipient) DO UPDATE SET sent = message_counts.sent
RETURNING recipient, sent;

-- name: MessageCountAdd :exec
-- Counts one more message for the organisation and the recipient.
UPDATE message_counts SET sent = sent + 1
WHERE org_id = @org_id AND day = @day AND channel = @channel AND recipient IN ('', @recipient::text);
