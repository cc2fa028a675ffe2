-- +goose Up
-- Reports read leads by receipt time with the columns they group and filter on, from the index
-- alone; the dashboard also finds leads by the time of their first response.
CREATE INDEX leads_report_idx ON leads (org_id, received_at)
  INCLUDE (site_id, assignee_id, source, source_group, category, stage, response_seconds, first_response_at);
CREATE INDEX leads_answered_idx ON leads (org_id, first_response_at) WHERE first_response_at IS NOT NULL;

-- +goose Down
DROP INDEX leads_answered_idx;
DROP INDEX leads_report_idx;
