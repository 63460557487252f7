package main

import (
	"context"
	"errors"
	"time"
)

// startKeepingPast keeps the read models' past sets (serving.past) up to
// date in the background until close: it saves the sets the log has room
// for, then waits for the live read models to reach the next multiple of
// the spacing, and again. A first start over a long log saves every set
// it can in one pass over the log, beside serving requests.
func (s *serving) startKeepingPast() {
	if s.past == nil {
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	s.stopPast, s.keepingPast = stop, make(chan struct{})
	go func() {
		defer close(s.keepingPast)
		s.keepPast(ctx)
	}()
}

// keepPast is startKeepingPast's loop.
func (s *serving) keepPast(ctx context.Context) {
	every := uint64(s.past.Every())
	for {
		began := time.Now()
		n, err := s.past.Fill(ctx, s.l.store, s.l.registry)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.logger.Warn("未能保存历史读模型，历史查询将从日志重放 / could not keep past read models; questions about the past replay the log", "err", err)
		case n > 0:
			s.logger.Info("已保存历史读模型 / kept past read models", "sets", n, "every", every, "took", time.Since(began).Round(time.Millisecond))
		}
		next := (s.runner.Position()/every + 1) * every
		if err := s.runner.WaitFor(ctx, next); err != nil {
			if !errors.Is(err, context.Canceled) {
				s.logger.Warn("停止保存历史读模型 / stopped keeping past read models", "err", err)
			}
			return
		}
	}
}

// stopKeepingPast stops the loop and waits for it, at most until ctx ends.
func (s *serving) stopKeepingPast(ctx context.Context) {
	if s.stopPast == nil {
		return
	}
	s.stopPast()
	select {
	case <-s.keepingPast:
	case <-ctx.Done():
		s.logger.Warn("历史读模型未能及时停止 / keeping past read models did not stop in time", "err", ctx.Err())
	}
}
