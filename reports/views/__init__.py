"""The top layer's pages: those that compose several apps' records with the charts the model
card prints (reports.content over reports.charts, so a chart is the same on screen and on
paper). versions: the version page (governance's record, audits' runs, reports' sections and
the forms of both lower apps) and the comparison with the previous version; runs: an audit's
page with its live progress; documents: the auditor's downloads and PDF verification. A page
showing one lower app's records only belongs in that app's views package, not here."""
