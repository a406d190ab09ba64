FETCH 4096 FROM eventlog_page
