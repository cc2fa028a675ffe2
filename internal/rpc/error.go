package rpc

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strconv"
	"strings"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	"github.com/relancehq/relance/internal/relance"
)

// codes maps domain error codes to Connect codes. It is the only place that knows both.
var codes = map[relance.Code]connect.Code{
	relance.CodeInvalid:            connect.CodeInvalidArgument,
	relance.CodeNotFound:           connect.CodeNotFound,
	relance.CodeConflict:           connect.CodeAlreadyExists,
	relance.CodePermissionDenied:   connect.CodePermissionDenied,
	relance.CodeUnauthenticated:    connect.CodeUnauthenticated,
	relance.CodeFailedPrecondition: connect.CodeFailedPrecondition,
	relance.CodeUnavailable:        connect.CodeUnavailable,
}

// toConnect turns any error from the domain into a Connect error. Domain errors keep their
// message, and field violations travel as a buf.validate.Violations detail, the same detail the
// validation interceptor sends, so clients read both alike. Anything else is logged and answered
// as an opaque internal error.
func toConnect(ctx context.Context, log *slog.Logger, err error) error {
	var de *relance.Error
	switch {
	case errors.As(err, &de):
		ce := connect.NewError(codes[de.Code], errors.New(de.Message))
		if len(de.Violations) > 0 {
			vs := &validate.Violations{}
			for _, v := range de.Violations {
				vs.SetViolations(append(vs.GetViolations(), validate.Violation_builder{
					Field:   fieldPath(v.Field),
					RuleId:  proto.String("relance." + string(de.Code)),
					Message: proto.String(v.Message),
				}.Build()))
			}
			if detail, derr := connect.NewErrorDetail(vs); derr == nil {
				ce.AddDetail(detail)
			}
		}
		return ce
	case errors.Is(err, context.Canceled):
		return connect.NewError(connect.CodeCanceled, err)
	case errors.Is(err, context.DeadlineExceeded):
		return connect.NewError(connect.CodeDeadlineExceeded, err)
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce
	}
	log.ErrorContext(ctx, "internal error", "err", err)
	return connect.NewError(connect.CodeInternal, errors.New("internal error"))
}

var pathElement = regexp.MustCompile(`([a-z_0-9]+)(?:\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])?`)

// fieldPath turns "windows[2].end" (or `labels["key"]`, a map entry) into a protovalidate
// field path.
func fieldPath(dotted string) *validate.FieldPath {
	fp := &validate.FieldPath{}
	for _, m := range pathElement.FindAllStringSubmatch(dotted, -1) {
		el := validate.FieldPathElement_builder{FieldName: proto.String(m[1])}
		if m[2] != "" {
			i, _ := strconv.ParseUint(m[2], 10, 64)
			el.Index = proto.Uint64(i)
		}
		if key, err := strconv.Unquote(m[3]); err == nil {
			el.StringKey = proto.String(key)
		}
		fp.SetElements(append(fp.GetElements(), el.Build()))
	}
	return fp
}

// invalid is the error for a request field the handler itself finds bad (such as a page token).
func invalid(field, message string) error {
	return relance.Invalid(field, message)
}

// inField points the field violations of a domain error at a message field of the request, as
// in "plan.steps[2].body" for a plan's "steps[2].body".
func inField(field string, err error) error {
	var e *relance.Error
	if errors.As(err, &e) {
		for i := range e.Violations {
			if !strings.HasPrefix(e.Violations[i].Field, field+".") {
				e.Violations[i].Field = field + "." + e.Violations[i].Field
			}
		}
	}
	return err
}
