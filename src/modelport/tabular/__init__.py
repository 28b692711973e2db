"""Tables of rows: files read and written in chunks, SQL in and out, rows checked against a model's
input schema, and predictions shaped as columns. Shared by serving, batch and (coming) training.

* :mod:`~modelport.tabular.readers` - CSV, Parquet and Excel files, in chunks;
* :mod:`~modelport.tabular.writers` - the same formats, written atomically;
* :mod:`~modelport.tabular.sql` - a query into a file, a file appended to a table;
* :mod:`~modelport.tabular.validation` - rows checked against a :class:`~modelport.columns.ModelSchema`;
* :mod:`~modelport.tabular.outputs` - predictions as records, frames and summaries.

Layer: imports only the bottom layer (columns, errors, flavors).
"""
