package web

import (
	"net/http"

	"kexie/internal/dataset"
)

// routes is every route of kexie. The OpenAPI document
// (openapi.json) must describe exactly the kindAPI routes: a test fails
// when the two disagree.
func (s *Server) routes() []route {
	api := func(method, pattern string, h handlerFunc) route {
		return route{Method: method, Pattern: pattern, Kind: kindAPI, H: h}
	}
	page := func(method, pattern string, h handlerFunc) route {
		return route{Method: method, Pattern: pattern, Kind: kindPage, H: h}
	}
	public := func(r route) route { r.Public = true; return r }
	return []route{
		// operations
		public(route{Method: http.MethodGet, Pattern: "/healthz", Kind: kindPlain, H: s.healthz}),
		public(route{Method: http.MethodGet, Pattern: "/readyz", Kind: kindPlain, H: s.readyz}),
		public(route{Method: http.MethodGet, Pattern: "/metrics", Kind: kindPlain, H: s.metricsHandler}),
		public(route{Method: http.MethodGet, Pattern: "/static/", Kind: kindPlain, H: s.static}),

		// API: session and self
		public(api(http.MethodGet, "/api/v1/openapi.json", s.openAPI)),
		public(api(http.MethodPost, "/api/v1/session", s.apiLogin)),
		api(http.MethodDelete, "/api/v1/session", s.apiLogout),
		api(http.MethodGet, "/api/v1/me", s.apiMe),
		api(http.MethodPost, "/api/v1/me/password", s.apiChangePassword),

		// API: units
		api(http.MethodGet, "/api/v1/units", s.apiListUnits),
		api(http.MethodPost, "/api/v1/units", s.apiCreateUnit),
		api(http.MethodGet, "/api/v1/units/{code}", s.apiGetUnit),
		api(http.MethodPatch, "/api/v1/units/{code}", s.apiUpdateUnit),
		api(http.MethodGet, "/api/v1/units/{code}/children", s.apiUnitChildren),
		api(http.MethodPost, "/api/v1/units/{code}/move", s.apiMoveUnit),
		api(http.MethodPost, "/api/v1/units/{code}/close", s.apiCloseUnit),
		api(http.MethodPost, "/api/v1/units/{code}/reopen", s.apiReopenUnit),
		api(http.MethodGet, "/api/v1/units/{code}/audit", s.apiUnitAudit),
		api(http.MethodGet, "/api/v1/unit-types", s.apiUnitTypes),
		api(http.MethodPut, "/api/v1/unit-types/{code}", s.apiSaveUnitType),
		api(http.MethodGet, "/api/v1/unit-groups", s.apiUnitGroups),
		api(http.MethodPut, "/api/v1/unit-groups/{code}", s.apiSaveUnitGroup),

		// API: units as spreadsheets
		api(http.MethodGet, "/api/v1/exports/units", s.apiExportUnits),
		api(http.MethodPost, "/api/v1/imports/units", s.apiImportUnits),

		// API: users, roles, tokens
		api(http.MethodGet, "/api/v1/users", s.apiListUsers),
		api(http.MethodPost, "/api/v1/users", s.apiCreateUser),
		api(http.MethodGet, "/api/v1/users/{name}", s.apiGetUser),
		api(http.MethodPatch, "/api/v1/users/{name}", s.apiUpdateUser),
		api(http.MethodPost, "/api/v1/users/{name}/password", s.apiResetPassword),
		api(http.MethodPost, "/api/v1/users/{name}/grants", s.apiGrant),
		api(http.MethodDelete, "/api/v1/users/{name}/grants/{id}", s.apiRevoke),
		api(http.MethodGet, "/api/v1/users/{name}/tokens", s.apiListTokens),
		api(http.MethodPost, "/api/v1/users/{name}/tokens", s.apiCreateToken),
		api(http.MethodDelete, "/api/v1/users/{name}/tokens/{id}", s.apiRevokeToken),
		api(http.MethodGet, "/api/v1/users/{name}/audit", s.apiUserAudit),

		// API: audit
		api(http.MethodGet, "/api/v1/audit", s.apiAudit),

		// API: registers and their records
		api(http.MethodGet, "/api/v1/registers", s.apiListRegisters),
		api(http.MethodGet, "/api/v1/registers/{code}", s.apiGetRegister),
		api(http.MethodPut, "/api/v1/registers/{code}", s.apiDefineRegister),
		api(http.MethodGet, "/api/v1/registers/{code}/records", s.apiListRecords),
		api(http.MethodPost, "/api/v1/registers/{code}/records", s.apiCreateRecord),
		api(http.MethodGet, "/api/v1/registers/{code}/records/{id}", s.apiGetRecord),
		api(http.MethodPatch, "/api/v1/registers/{code}/records/{id}", s.apiUpdateRecord),
		api(http.MethodDelete, "/api/v1/registers/{code}/records/{id}", s.apiDeleteRecord),
		api(http.MethodPost, "/api/v1/registers/{code}/records/{id}/status", s.apiRecordStatus),
		api(http.MethodPost, "/api/v1/registers/{code}/records/{id}/reveal", s.apiRevealRecord),
		api(http.MethodGet, "/api/v1/registers/{code}/records/{id}/audit", s.apiRecordAudit),
		api(http.MethodGet, "/api/v1/registers/{code}/template", s.apiRegisterTemplate),
		api(http.MethodGet, "/api/v1/registers/{code}/export", s.apiExportRecords),
		api(http.MethodPost, "/api/v1/registers/{code}/imports", s.apiStartImport),
		api(http.MethodGet, "/api/v1/imports/{id}", s.apiImportJob),
		api(http.MethodGet, "/api/v1/imports/{id}/annotated", s.apiImportAnnotated),
		api(http.MethodPost, "/api/v1/files", s.apiUploadFile),
		api(http.MethodGet, "/api/v1/files/{id}", s.apiDownloadFile),

		// API: metrics and dashboards
		api(http.MethodGet, "/api/v1/metrics", s.apiListMetrics),
		api(http.MethodGet, "/api/v1/metrics/{code}", s.apiGetMetric),
		api(http.MethodPut, "/api/v1/metrics/{code}", s.apiDefineMetric),
		api(http.MethodGet, "/api/v1/metrics/{code}/value", s.apiMetricValue),
		api(http.MethodGet, "/api/v1/metrics/{code}/children", s.apiMetricChildren),
		api(http.MethodGet, "/api/v1/metrics/{code}/periods", s.apiMetricPeriods),
		api(http.MethodGet, "/api/v1/metrics/{code}/categories", s.apiMetricCategories),
		api(http.MethodGet, "/api/v1/metrics/{code}/records", s.apiMetricRecords),
		api(http.MethodGet, "/api/v1/metrics/{code}/verify", s.apiVerifyMetric),
		api(http.MethodGet, "/api/v1/figures", s.apiFigures),
		api(http.MethodGet, "/api/v1/dashboards", s.apiListDashboards),
		api(http.MethodPost, "/api/v1/dashboards", s.apiCreateDashboard),
		api(http.MethodGet, "/api/v1/dashboards/{id}", s.apiGetDashboard),
		api(http.MethodPatch, "/api/v1/dashboards/{id}", s.apiUpdateDashboard),
		api(http.MethodDelete, "/api/v1/dashboards/{id}", s.apiDeleteDashboard),
		api(http.MethodGet, "/api/v1/dashboards/{id}/data", s.apiDashboardData),

		// API: data sets (aggregate data entry), their forms and approval; inboxes
		api(http.MethodGet, "/api/v1/datasets", s.apiListDatasets),
		api(http.MethodGet, "/api/v1/datasets/{code}", s.apiGetDataset),
		api(http.MethodPut, "/api/v1/datasets/{code}", s.apiDefineDataset),
		api(http.MethodDelete, "/api/v1/datasets/{code}", s.apiDeleteDataset),
		api(http.MethodGet, "/api/v1/datasets/{code}/values", s.apiGetValues),
		api(http.MethodPut, "/api/v1/datasets/{code}/values", s.apiSaveValues),
		api(http.MethodPost, "/api/v1/datasets/{code}/submit", s.apiFormAction(dataset.ActSubmit)),
		api(http.MethodPost, "/api/v1/datasets/{code}/approve", s.apiFormAction(dataset.ActApprove)),
		api(http.MethodPost, "/api/v1/datasets/{code}/return", s.apiFormAction(dataset.ActReturn)),
		api(http.MethodPost, "/api/v1/datasets/{code}/withdraw", s.apiFormAction(dataset.ActWithdraw)),
		api(http.MethodGet, "/api/v1/datasets/{code}/completeness", s.apiCompleteness),
		api(http.MethodPost, "/api/v1/datasets/{code}/remind", s.apiRemind),
		api(http.MethodPut, "/api/v1/datasets/{code}/exceptions", s.apiSetException),
		api(http.MethodGet, "/api/v1/inbox", s.apiInbox),
		api(http.MethodPost, "/api/v1/inbox/{id}/read", s.apiReadMessage),

		// pages
		public(page(http.MethodGet, "/login", s.pageLogin)),
		public(page(http.MethodPost, "/login", s.pageLoginSubmit)),
		public(page(http.MethodGet, "/lang/{lang}", s.pageSetLang)),
		page(http.MethodPost, "/logout", s.pageLogout),
		page(http.MethodGet, "/{$}", s.pageHome),
		page(http.MethodGet, "/units", s.pageUnits),
		page(http.MethodGet, "/units/{code}", s.pageUnit),
		page(http.MethodGet, "/units/{code}/children", s.pageUnitChildren),
		page(http.MethodPost, "/units/{code}/children", s.pageUnitCreateChild),
		page(http.MethodPost, "/units/{code}/edit", s.pageUnitEdit),
		page(http.MethodPost, "/units/{code}/move", s.pageUnitMove),
		page(http.MethodPost, "/units/{code}/close", s.pageUnitClose),
		page(http.MethodPost, "/units/{code}/reopen", s.pageUnitReopen),
		page(http.MethodGet, "/users", s.pageUsers),
		page(http.MethodPost, "/users", s.pageUserCreate),
		page(http.MethodGet, "/users/{name}", s.pageUser),
		page(http.MethodPost, "/users/{name}/grants", s.pageUserGrant),
		page(http.MethodPost, "/users/{name}/grants/{id}/revoke", s.pageUserRevoke),
		page(http.MethodPost, "/users/{name}/profile", s.pageUserProfile),
		page(http.MethodPost, "/users/{name}/disable", s.pageUserStatus(true)),
		page(http.MethodPost, "/users/{name}/enable", s.pageUserStatus(false)),
		page(http.MethodPost, "/users/{name}/password", s.pageUserResetPassword),
		page(http.MethodPost, "/users/{name}/tokens/{id}/revoke", s.pageUserRevokeToken),
		page(http.MethodGet, "/audit", s.pageAudit),
		page(http.MethodGet, "/registers", s.pageRegisters),
		page(http.MethodGet, "/registers/{code}", s.pageRecords),
		page(http.MethodGet, "/registers/{code}/new", s.pageRecordNew),
		page(http.MethodPost, "/registers/{code}/new", s.pageRecordCreate),
		page(http.MethodGet, "/registers/{code}/records/{id}", s.pageRecord),
		page(http.MethodPost, "/registers/{code}/records/{id}/edit", s.pageRecordEdit),
		page(http.MethodPost, "/registers/{code}/records/{id}/status", s.pageRecordStatus),
		page(http.MethodPost, "/registers/{code}/records/{id}/delete", s.pageRecordDelete),
		page(http.MethodPost, "/registers/{code}/records/{id}/reveal", s.pageRecordReveal),
		page(http.MethodGet, "/registers/{code}/import", s.pageImportForm),
		page(http.MethodPost, "/registers/{code}/import", s.pageImportStart),
		page(http.MethodGet, "/imports/{id}", s.pageImportJob),
		page(http.MethodGet, "/datasets", s.pageDatasets),
		page(http.MethodGet, "/datasets/{code}/entry", s.pageDatasetEntry),
		page(http.MethodPost, "/datasets/{code}/entry", s.pageDatasetEntrySave),
		page(http.MethodGet, "/datasets/{code}/status", s.pageDatasetStatus),
		page(http.MethodPost, "/datasets/{code}/act", s.pageDatasetAct),
		page(http.MethodPost, "/datasets/{code}/remind", s.pageDatasetRemind),
		page(http.MethodGet, "/inbox", s.pageInbox),
		page(http.MethodPost, "/inbox/{id}/read", s.pageInboxRead),
		page(http.MethodGet, "/account", s.pageAccount),
		page(http.MethodPost, "/account/password", s.pageAccountPassword),
		page(http.MethodPost, "/account/prefs", s.pageAccountPrefs),
		page(http.MethodPost, "/account/tokens", s.pageAccountCreateToken),
		page(http.MethodPost, "/account/tokens/{id}/revoke", s.pageAccountRevokeToken),
		// pages: metrics, pivot table, dashboards (the catalogue is /metrics/:
		// /metrics itself is the Prometheus endpoint)
		page(http.MethodGet, "/metrics/{$}", s.pageMetrics),
		page(http.MethodGet, "/metrics/{code}", s.pageMetric),
		page(http.MethodGet, "/metrics/{code}/records", s.pageMetricRecords),
		page(http.MethodGet, "/pivot", s.pagePivot),
		page(http.MethodGet, "/pivot/export", s.pagePivotExport),
		page(http.MethodGet, "/dashboards", s.pageDashboards),
		page(http.MethodPost, "/dashboards", s.pageDashboardCreate),
		page(http.MethodGet, "/dashboards/{id}", s.pageDashboard),
		page(http.MethodPost, "/dashboards/{id}/edit", s.pageDashboardEdit),
		page(http.MethodPost, "/dashboards/{id}/widgets", s.pageDashboardAddWidget),
		page(http.MethodPost, "/dashboards/{id}/widgets/{n}/delete", s.pageDashboardRemoveWidget),
		page(http.MethodPost, "/dashboards/{id}/delete", s.pageDashboardDelete),

		// API: plans (目标任务)
		api(http.MethodGet, "/api/v1/plans", s.apiListPlans),
		api(http.MethodPost, "/api/v1/plans", s.apiCreatePlan),
		api(http.MethodGet, "/api/v1/plans/{id}", s.apiGetPlan),
		api(http.MethodGet, "/api/v1/plan-tasks/{id}", s.apiGetPlanTask),
		api(http.MethodPost, "/api/v1/plan-tasks/{id}/steps", s.apiPlanTaskStep),
		api(http.MethodPost, "/api/v1/plans/{id}/reminders", s.apiPlanRemind),
		api(http.MethodGet, "/api/v1/plan-todo", s.apiPlanTodo),
		api(http.MethodGet, "/api/v1/plans/{id}/export", s.apiExportPlan),
		api(http.MethodPost, "/api/v1/imports/plans", s.apiImportPlan),
		// pages: plans
		page(http.MethodGet, "/plans", s.pagePlans),
		page(http.MethodGet, "/plans/{id}", s.pagePlan),
		page(http.MethodGet, "/plans/{id}/matrix", s.pagePlanMatrix),
		page(http.MethodPost, "/plans/{id}/remind", s.pagePlanRemind),
		page(http.MethodGet, "/plans/todo", s.pagePlanTodo),
		page(http.MethodGet, "/plan-tasks/{id}", s.pagePlanTask),
		page(http.MethodPost, "/plan-tasks/{id}/steps", s.pagePlanTaskStep),

		// API: evaluation schemes (评价体系) and their runs
		api(http.MethodGet, "/api/v1/schemes", s.apiListSchemes),
		api(http.MethodPost, "/api/v1/schemes", s.apiCreateScheme),
		api(http.MethodGet, "/api/v1/schemes/{code}", s.apiGetScheme),
		api(http.MethodPost, "/api/v1/schemes/{code}/versions", s.apiCreateVersion),
		api(http.MethodGet, "/api/v1/schemes/{code}/versions/{n}", s.apiGetVersion),
		api(http.MethodGet, "/api/v1/schemes/{code}/versions/{n}/entropy", s.apiEntropy),
		api(http.MethodGet, "/api/v1/schemes/{code}/versions/{n}/hand-scores", s.apiListHandScores),
		api(http.MethodPost, "/api/v1/schemes/{code}/versions/{n}/hand-scores", s.apiSelfScore),
		api(http.MethodPost, "/api/v1/schemes/{code}/versions/{n}/hand-scores/verify", s.apiVerifyHandScore),
		api(http.MethodPost, "/api/v1/scheme-weights/ahp", s.apiAHP),
		api(http.MethodGet, "/api/v1/scheme-runs", s.apiListRuns),
		api(http.MethodPost, "/api/v1/scheme-runs", s.apiCreateRun),
		api(http.MethodGet, "/api/v1/scheme-runs/{id}", s.apiGetRun),
		api(http.MethodGet, "/api/v1/scheme-runs/{id}/units/{unit}", s.apiScorecard),
		api(http.MethodPost, "/api/v1/scheme-runs/{id}/publish", s.apiPublishRun),
		api(http.MethodPost, "/api/v1/scheme-runs/{id}/rescore", s.apiRescoreRun),
		api(http.MethodGet, "/api/v1/scheme-runs/{id}/moved", s.apiRunMoved),
		api(http.MethodGet, "/api/v1/scheme-runs/{id}/compare", s.apiCompareRuns),
		api(http.MethodGet, "/api/v1/scheme-runs/{id}/export", s.apiExportRun),
		api(http.MethodGet, "/api/v1/scheme-runs/{id}/objections", s.apiListObjections),
		api(http.MethodPost, "/api/v1/scheme-runs/{id}/objections", s.apiFileObjection),
		api(http.MethodPost, "/api/v1/scheme-objections/{id}/answer", s.apiAnswerObjection),
	}
}
