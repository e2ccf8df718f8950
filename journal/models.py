# Models of the journal app.
