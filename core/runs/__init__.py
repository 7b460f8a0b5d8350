"""What every engine, exporter and front end shares about a run, with no engine code:
events and ``CancelToken`` (``events``), ``TrainConfig`` (``config``) and the run
directory (``run_dir``). It sits below training, numpy_cnn, inference, export and
cli, so none of them needs another just for these.
"""
