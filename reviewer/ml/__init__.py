"""The reviewer's trained classifier: candidates, features, the dataset builder, training, evaluation and the
plain-Python scorer that the reviewer uses (scikit-learn is needed for training only, never for scoring)."""
