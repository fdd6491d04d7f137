"""The chapter runtime: what a chapter shows first and how the book is made.

* :mod:`~analysis.book.chapter` – the first call of every chapter (settings, data, header);
* :mod:`~analysis.book.report` – the header with its data banner, tables, glue helpers;
* :mod:`~analysis.book.pipeline` – papermill execution with change detection, ``jupyter-book build``;
* :mod:`~analysis.book.timings` – per-chapter wall times of each run and the "Build times" page;
* :mod:`~analysis.book.compare` – what changed between two builds (glued values, figures);
"""
