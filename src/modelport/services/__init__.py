"""Services hold the rules and open the transaction; routers and the CLI call them."""
