"""Small real HTTP servers on loopback that answer like the services kg talks to (arXiv API, Hugging Face daily
papers API, a SPARQL Graph Store), with scripted failures: error statuses, slow and broken answers."""
