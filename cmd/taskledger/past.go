package main

import (
	"context"
	"time"
)

// startKeepingPast saves, in the background, the past read models
// (serving.past) the log has room for and that are not there yet: on a
// first start over a long log, or after an upgrade or a rebuild, every set
// below where the read models were restored, in one pass over the log
// beside serving requests. The sets after that the projector saves itself
// as its models pass them (projections.RunnerConfig.Past). close stops it.
func (s *serving) startKeepingPast() {
	if s.past == nil {
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	s.stopPast, s.keepingPast = stop, make(chan struct{})
	go func() {
		defer close(s.keepingPast)
		began := time.Now()
		n, err := s.past.Fill(ctx, s.l.store, s.l.registry)
		switch {
		case ctx.Err() != nil:
		case err != nil:
			s.logger.Warn("未能保存历史读模型，历史查询将从日志重放 / could not keep past read models; questions about the past replay the log", "err", err)
		case n > 0:
			s.logger.Info("已保存历史读模型 / kept past read models", "sets", n, "every", s.past.Every(), "took", time.Since(began).Round(time.Millisecond))
		}
	}()
}

// stopKeepingPast stops the background pass and waits for it, at most
// until ctx ends.
func (s *serving) stopKeepingPast(ctx context.Context) {
	s.stopAndWait(ctx, s.stopPast, s.keepingPast, "历史读模型未能及时停止 / keeping past read models did not stop in time")
}
