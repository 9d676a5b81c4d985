"""The browser workspace (``qualcode serve``): a second front end on the same library, for
coders who code in a browser, each blind to the others, into files ``collect`` reads."""
