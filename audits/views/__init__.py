"""The audits pages, one module per entity: evaluation_sets (the two-step upload) and runs
(starting an audit). A page lives in the lowest app that holds everything it shows: these show
governance and audits records only, with governance.page_plumbing's helpers; an audit's results
page and the version page draw reports' charts, so they are in reports.views."""
