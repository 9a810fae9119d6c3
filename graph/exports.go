package graph

import (
	"context"
	"net/http"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// ComplianceExportHandler serves GET /export/compliance.xlsx?orgUnitId=
// &year=&quarter=: complianceReport as a spreadsheet, with the same bearer
// token and scope. 400 INVALID for a missing or malformed parameter, 401
// without a token, 403 and 404 as the query refuses.
func ComplianceExportHandler(d Deps) http.Handler {
	return exportHandler(d, []string{"orgUnitId", "year", "quarter"}, func(ctx context.Context, p *authz.Principal, v []int64) (*excelize.File, string, error) {
		f, err := d.Reports.ComplianceWorkbook(ctx, p, v[0], int(v[1]), int(v[2]))
		return f, "compliance-" + strconv.FormatInt(v[0], 10) + "-" + strconv.FormatInt(v[1], 10) + "Q" + strconv.FormatInt(v[2], 10) + ".xlsx", err
	})
}

// AppraisalExportHandler serves GET /export/appraisal.xlsx?orgUnitId=&year=:
// annualAppraisal as a spreadsheet, refused as ComplianceExportHandler.
func AppraisalExportHandler(d Deps) http.Handler {
	return exportHandler(d, []string{"orgUnitId", "year"}, func(ctx context.Context, p *authz.Principal, v []int64) (*excelize.File, string, error) {
		f, err := d.Reports.AppraisalWorkbook(ctx, p, v[0], int(v[1]))
		return f, "appraisal-" + strconv.FormatInt(v[0], 10) + "-" + strconv.FormatInt(v[1], 10) + ".xlsx", err
	})
}

// exportHandler reads the integer parameters named, builds the workbook
// and writes it.
func exportHandler(d Deps, params []string, build func(ctx context.Context, p *authz.Principal, v []int64) (*excelize.File, string, error)) http.Handler {
	return withCaller(d, func(w http.ResponseWriter, r *http.Request, p *authz.Principal) {
		ctx := r.Context()
		var err error
		values := make([]int64, len(params))
		for i, name := range params {
			if values[i], err = strconv.ParseInt(r.URL.Query().Get(name), 10, 64); err != nil {
				writeError(w, http.StatusBadRequest, models.CodeInvalid, name+" must be an integer")
				return
			}
		}
		f, name, err := build(ctx, p, values)
		if err != nil {
			code := models.CodeOf(err)
			status := map[models.Code]int{models.CodeNotFound: http.StatusNotFound, models.CodeInvalid: http.StatusBadRequest,
				models.CodeForbidden: http.StatusForbidden, models.CodeUnavailable: http.StatusServiceUnavailable,
				models.CodePasswordChangeRequired: http.StatusForbidden, models.CodeUnauthenticated: http.StatusUnauthorized}[code]
			if status == 0 {
				d.Log.ErrorContext(ctx, "export", "request_id", RequestID(ctx), "err", err)
				status, code = http.StatusInternalServerError, models.CodeInternal
			}
			writeError(w, status, code, err.Error())
			return
		}
		defer f.Close()
		h := w.Header()
		h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		h.Set("Cache-Control", "private, no-store")
		h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
		if err := f.Write(w); err != nil {
			d.Log.ErrorContext(ctx, "export: writing", "request_id", RequestID(ctx), "err", err)
		}
	})
}
