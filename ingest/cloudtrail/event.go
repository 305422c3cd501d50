package cloudtrail

import (
	"errors"
	"time"

	"github.com/breachline/breachline/ingest/internal/jsondec"
	"github.com/breachline/breachline/normalize"
)

// toEvent fills ev from r. CloudTrail times are UTC with a Z (explicit); lookup-events'
// EventTime, used only when the inner record lacks one, carries its own offset.
func (r *record) toEvent(ev *normalize.Event) error {
	if r.EventTime == "" {
		return errors.New("not a CloudTrail event: no eventTime")
	}
	t, err := parseTime(r.EventTime)
	tz := normalize.TZExplicit
	if r.lakeTime {
		t, err = time.Parse("2006-01-02 15:04:05.999999999", r.EventTime)
		tz = normalize.TZUTCBySpec
	}
	if err != nil {
		return err
	}
	if r.EventName == "" && r.InsightDetails == nil {
		return errors.New("not a CloudTrail event: no eventName")
	}
	ev.Time, ev.TimeRaw, ev.TZBasis = t, r.EventTime, tz
	ev.Action = r.EventName
	if in := r.InsightDetails; in != nil {
		// An Insights event reports an anomaly in the rate of another call; it names that call.
		ev.Action, ev.Category, ev.Outcome = in.EventName, normalize.Other, normalize.Unknown
		ev.SetAttr("insight_type", in.InsightType)
		ev.SetAttr("insight_state", in.State)
		ev.SetAttr("event_source", in.EventSource)
		ev.SetAttr("event_id", r.EventID)
		ev.SetAttr("event_type", r.EventType)
		ev.SetAttr("event_category", r.EventCategory)
		ev.SetAttr("region", r.AWSRegion)
		ev.SetAttr("recipient_account", r.RecipientAccountID)
		ev.SetAttr("shared_event_id", r.SharedEventID)
		return nil
	}
	ev.UserAgent = r.UserAgent
	ev.RequestID = r.RequestID
	ev.SrcIP, _ = normalize.SplitAddress(r.SourceIPAddress)
	if ev.SrcIP == "" && r.SourceIPAddress != "" {
		ev.SetAttr(normalize.AttrSourceHost, r.SourceIPAddress)
	}
	ev.SetAttr("event_source", r.EventSource)
	ev.SetAttr("event_id", r.EventID)
	ev.SetAttr("event_type", r.EventType)
	ev.SetAttr("event_category", r.EventCategory)
	ev.SetAttr("region", r.AWSRegion)
	ev.SetAttr("recipient_account", r.RecipientAccountID)
	ev.SetAttr("shared_event_id", r.SharedEventID)
	ev.SetAttr("vpc_endpoint_id", r.VPCEndpointID)
	ev.SetAttr("error_code", r.ErrorCode)
	ev.SetAttr("error_message", r.ErrorMessage)
	if len(r.Resources) > 0 {
		ev.Resource, ev.ResourceType = r.Resources[0].ARN, r.Resources[0].Type
	}
	r.identify(ev)

	var p params
	var resp response
	if len(r.RequestParameters) > 2 {
		_ = jsondec.Unmarshal(r.RequestParameters, &p) // a service's odd shape leaves p empty, not the event lost
	}
	if len(r.ResponseElements) > 2 {
		_ = jsondec.Unmarshal(r.ResponseElements, &resp)
	}
	ev.Outcome = normalize.Success
	switch {
	case r.ErrorCode != "":
		ev.Outcome = normalize.Failure
	case resp.ConsoleLogin == "Failure":
		ev.Outcome = normalize.Failure
	}
	categorize(r, &p, &resp, ev)
	return nil
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("eventTime is not an RFC 3339 time with a zone")
}
