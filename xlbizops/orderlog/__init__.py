"""The order log's one home: its schema, how each kind of value is read, which lines
count as what (each rule written once, compiled to numpy, Ibis and Excel formula
text), how lines become orders, and the report's sums.  See docs/architecture.md."""
