"""Model cards, compliance reports and the evidence bundle: HTML -> WeasyPrint -> PDF -> signed.
Charts are drawn server-side by one module that the web pages use too."""
