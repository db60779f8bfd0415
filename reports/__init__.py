"""Model cards, compliance reports and the evidence bundle: HTML -> WeasyPrint -> PDF -> signed.
The top layer: pages composing several apps (the version page) live in its views/, and charts
are drawn server-side by one module that those pages and the PDFs share."""
