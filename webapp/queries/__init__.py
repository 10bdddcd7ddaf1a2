"""The read side: plain functions over the session that write nothing and import no flask."""
