package rpc

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/relancehq/relance/internal/relance"
)

// textInterceptor refuses, for every procedure, a request message with a NUL character in any
// string field, however deep (nested messages, repeated and map fields): PostgreSQL cannot
// store one in text, so it would otherwise surface as an internal error after part of the work.
// The answer is invalid_argument naming the field, as protovalidate names it
// ("plan.steps[1].body"). Invalid UTF-8 never gets this far: the Protobuf and JSON codecs
// refuse it while decoding, with invalid_argument.
type textInterceptor struct{ log *slog.Logger }

func (i *textInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if err := checkText(req.Any()); err != nil {
			return nil, toConnect(ctx, i.log, err)
		}
		return next(ctx, req)
	}
}

func (i *textInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i *textInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		return next(ctx, &textConn{StreamingHandlerConn: conn, ctx: ctx, log: i.log})
	}
}

// textConn checks every message a stream receives from its client.
type textConn struct {
	connect.StreamingHandlerConn
	ctx context.Context
	log *slog.Logger
}

func (c *textConn) Receive(msg any) error {
	if err := c.StreamingHandlerConn.Receive(msg); err != nil {
		return err
	}
	if err := checkText(msg); err != nil {
		return toConnect(c.ctx, c.log, err)
	}
	return nil
}

// checkText returns an invalid-input error naming the first string field of msg (a Protobuf
// message) that holds a NUL character, or nil.
func checkText(msg any) error {
	m, ok := msg.(proto.Message)
	if !ok {
		return nil
	}
	return textIn(m.ProtoReflect(), "")
}

func textIn(m protoreflect.Message, prefix string) error {
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := prefix + string(fd.Name())
		switch {
		case fd.IsList():
			list := v.List()
			for i := 0; i < list.Len() && err == nil; i++ {
				err = textValue(fd, list.Get(i), fmt.Sprintf("%s[%d]", name, i))
			}
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				key := k.String()
				if strings.IndexByte(key, 0) >= 0 {
					err = textError(name)
				} else {
					err = textValue(fd.MapValue(), mv, name+"["+strconv.Quote(key)+"]")
				}
				return err == nil
			})
		default:
			err = textValue(fd, v, name)
		}
		return err == nil
	})
	return err
}

func textValue(fd protoreflect.FieldDescriptor, v protoreflect.Value, name string) error {
	switch fd.Kind() {
	case protoreflect.StringKind:
		if strings.IndexByte(v.String(), 0) >= 0 {
			return textError(name)
		}
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return textIn(v.Message(), name+".")
	}
	return nil
}

func textError(field string) error {
	return relance.Invalid(field, "must not contain a NUL character (\\u0000)")
}
