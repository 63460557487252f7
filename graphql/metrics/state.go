package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The ledger's state, read at each scrape.
var (
	headDesc = prometheus.NewDesc("taskledger_store_head_position",
		"Position of the last event in the log.", nil, nil)
	lagDesc = prometheus.NewDesc("taskledger_projection_lag_events",
		"Projector lag: the store head minus the lowest position every read model has applied.", nil, nil)
	positionDesc = prometheus.NewDesc("taskledger_projection_position",
		"Lowest position every read model has applied.", nil, nil)
	failedDesc = prometheus.NewDesc("taskledger_projection_failed",
		"1 when a read model stopped on an event it could not apply.", nil, nil)
	hitsDesc = prometheus.NewDesc("taskledger_response_cache_hits_total",
		"Queries answered with a kept response.", nil, nil)
	missesDesc = prometheus.NewDesc("taskledger_response_cache_misses_total",
		"Cacheable queries the engine ran.", nil, nil)
)

// stateCollector reads State at each scrape. The head and the lag are left
// out when the store did not answer, the cache's counters when it is off.
type stateCollector struct {
	state   func(context.Context) State
	timeout time.Duration
}

// Describe implements prometheus.Collector.
func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{headDesc, lagDesc, positionDesc, failedDesc, hitsDesc, missesDesc} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	st := c.state(ctx)
	gauge := func(d *prometheus.Desc, v uint64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v))
	}
	if st.HeadErr == nil {
		gauge(headDesc, st.Head)
		var lag uint64
		if st.Head > st.ViewPosition {
			lag = st.Head - st.ViewPosition
		}
		gauge(lagDesc, lag)
	}
	gauge(positionDesc, st.ViewPosition)
	var failed uint64
	if st.ProjectionFailed {
		failed = 1
	}
	gauge(failedDesc, failed)
	if st.Cache != nil {
		ch <- prometheus.MustNewConstMetric(hitsDesc, prometheus.CounterValue, float64(st.Cache.Hits))
		ch <- prometheus.MustNewConstMetric(missesDesc, prometheus.CounterValue, float64(st.Cache.Misses))
	}
}
