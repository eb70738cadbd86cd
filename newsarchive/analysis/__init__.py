"""Text analyses of the stories and comments: quotations, names, wire copy, citations."""
