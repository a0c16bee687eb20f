"""Jobs service: an organisation's job postings (CRUD, search, publish, bulk import)."""
