package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"taskledger/eventstore"
)

// ErrUnavailable is returned (wrapped, together with the client's error)
// when EventStoreDB cannot be reached, is not the leader, or the client's
// connection has closed. The operation may be retried; Append is safe to
// retry with the same events.
var ErrUnavailable = errors.New("eventstoredb unavailable")

// ErrAccessDenied is returned when the server refuses the credentials or
// the stream's ACL.
var ErrAccessDenied = errors.New("eventstoredb access denied")

// clientCode returns the client's error code anywhere in err's chain. The
// client's own esdb.FromError looks only at err itself, and the client wraps
// its errors with fmt.Errorf("…%w") on several paths, so errors.As is used.
func clientCode(err error) (client.ErrorCode, bool) {
	var e *client.Error
	if errors.As(err, &e) {
		return e.Code(), true
	}
	return 0, false
}

// grpcCode returns the gRPC status code anywhere in err's chain. Some client
// paths (ReadStream and ReadAll opening their call) return the raw gRPC
// error without turning it into an *esdb.Error.
func grpcCode(err error) (codes.Code, bool) {
	var se interface{ GRPCStatus() *status.Status }
	if errors.As(err, &se) {
		return se.GRPCStatus().Code(), true
	}
	return codes.OK, false
}

// mapError turns a client error into the port's typed errors. The result
// wraps both the port's sentinel and the original error, so errors.Is and
// errors.As find either. closed reports whether the store was closed; ctx
// is the operation's context.
func mapError(ctx context.Context, closed bool, op string, err error) error {
	if err == nil {
		return nil
	}
	if closed {
		return fmt.Errorf("esdb: %s: %w", op, eventstore.ErrClosed)
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("esdb: %s: %w", op, ctxErr)
	}
	if code, ok := clientCode(err); ok {
		if code == client.ErrorCodeUnknown && errors.Is(err, io.EOF) {
			// The server ended a client-streaming call (Append) before
			// reading all of it; the client's Send got io.EOF and the
			// server's status was never read. The outcome is unknown:
			// report it as retryable.
			return fmt.Errorf("esdb: %s: %w (the server ended the call early; the client lost its status): %w", op, ErrUnavailable, err)
		}
		switch code {
		case client.ErrorCodeResourceNotFound, client.ErrorCodeStreamDeleted:
			return fmt.Errorf("esdb: %s: %w: %w", op, eventstore.ErrStreamNotFound, err)
		case client.ErrorCodeDeadlineExceeded:
			return fmt.Errorf("esdb: %s: %w: %w", op, context.DeadlineExceeded, err)
		case client.ErrorCodeConnectionClosed, client.ErrorUnavailable, client.ErrorCodeNotLeader, client.ErrorAborted:
			return fmt.Errorf("esdb: %s: %w: %w", op, ErrUnavailable, err)
		case client.ErrorCodeAccessDenied, client.ErrorCodeUnauthenticated:
			return fmt.Errorf("esdb: %s: %w: %w", op, ErrAccessDenied, err)
		}
	}
	if code, ok := grpcCode(err); ok {
		switch code {
		case codes.Canceled:
			return fmt.Errorf("esdb: %s: %w: %w", op, context.Canceled, err)
		case codes.DeadlineExceeded:
			return fmt.Errorf("esdb: %s: %w: %w", op, context.DeadlineExceeded, err)
		case codes.NotFound:
			return fmt.Errorf("esdb: %s: %w: %w", op, eventstore.ErrStreamNotFound, err)
		case codes.Unavailable, codes.Aborted:
			return fmt.Errorf("esdb: %s: %w: %w", op, ErrUnavailable, err)
		case codes.PermissionDenied, codes.Unauthenticated:
			return fmt.Errorf("esdb: %s: %w: %w", op, ErrAccessDenied, err)
		}
	}
	return fmt.Errorf("esdb: %s: %w", op, err)
}

// isConnectionClosed reports whether err says the client's connection is
// closed for good: after a failed discovery the client shuts itself down
// and every later call fails this way until a new client is made.
func isConnectionClosed(err error) bool {
	code, ok := clientCode(err)
	return ok && code == client.ErrorCodeConnectionClosed
}

// isWrongExpectedVersion reports a client-side optimistic concurrency
// failure.
func isWrongExpectedVersion(err error) bool {
	code, ok := clientCode(err)
	return ok && code == client.ErrorCodeWrongExpectedVersion
}
