package graph

import (
	"log/slog"
	"time"

	"github.com/henan-youth/onsite/absence"
	"github.com/henan-youth/onsite/makeup"

	"github.com/henan-youth/onsite/activity"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/inspect"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/henan-youth/onsite/account"
	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/checkin"
	"github.com/henan-youth/onsite/evidencelog"
	"github.com/henan-youth/onsite/notify"
	"github.com/henan-youth/onsite/policy"
	"github.com/henan-youth/onsite/regions"
	"github.com/henan-youth/onsite/report"
	"github.com/henan-youth/onsite/seminar"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/summary"
	"github.com/henan-youth/onsite/tasks"
	"github.com/henan-youth/onsite/verdict"
)

// Deps are the services and limits the GraphQL endpoint runs with.
type Deps struct {
	Store      *store.Store
	Accounts   *account.Service
	Tokens     *auth.Tokens
	Regions    *regions.Service
	CheckIns   *checkin.Service
	Ledger     *evidencelog.Service
	Activities *activity.Service
	Seminars   *seminar.Service // R9
	Tasks      *tasks.Service   // R10
	Summaries  *summary.Service // R8's summaries and reports
	Notify     *notify.Service  // inboxes and subscriptions; nil: none served
	Policies   *policy.Service
	Verdicts   *verdict.Service
	Reports    *report.Service // units' compliance reports, closings, appraisals and their spreadsheets
	MakeUps    *makeup.Service
	Absences   *absence.Service
	Inspect    *inspect.Service
	Access     activity.AccessLog // records reads of a cadre's data by others (accesslog.Log); nil: none recorded
	Rules      compliance.Policy  // the numbers youth-work summaries show (the defaults)
	Log        *slog.Logger
	Metrics    prometheus.Registerer // nil: no metrics

	// Documents are the registered operations and who may send others;
	// the zero value registers none and restricts nobody.
	Documents TrustedDocuments

	Dev              bool           // GraphiQL, introspection and field suggestions
	MaxBodyBytes     int64          // request body limit; 1 MiB when zero
	MaxUploadBytes   int64          // limit of a multipart request with photos; 80 MiB when zero
	ComplexityLimit  int            // query complexity limit; 3000 when zero
	TokenLimit       int            // parser token limit; 10000 when zero
	Limits           DocumentLimits // checked before validation; zero fields take defaults
	MaxResponseBytes int            // largest answer (its data); 4 MiB when zero
	RequestTimeout   time.Duration  // per-request deadline; 15 s when zero
}

func (d *Deps) defaults() {
	if d.MaxBodyBytes == 0 {
		d.MaxBodyBytes = 1 << 20
	}
	if d.MaxUploadBytes == 0 {
		d.MaxUploadBytes = 80 << 20
	}
	if d.ComplexityLimit == 0 {
		d.ComplexityLimit = 3000
	}
	if d.TokenLimit == 0 {
		d.TokenLimit = 10000
	}
	d.Limits.defaults()
	if d.MaxResponseBytes == 0 {
		d.MaxResponseBytes = 4 << 20
	}
	if d.RequestTimeout == 0 {
		d.RequestTimeout = 15 * time.Second
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
}
