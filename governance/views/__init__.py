"""The registry's web pages, one module per entity: homes (each role's home and the inventory),
mlmodels, versions (new version, lifecycle moves, the signed decision), incidents, trail and
accounts. The rule of the house: a page lives in the lowest app that holds everything it shows,
so these pages show governance records only; the plumbing every app's pages share is in
governance.page_plumbing, and pages that compose several apps (the version page) are in reports.
Views parse a form, call one service and redirect; a service's refusal becomes an error on the
field it names."""
