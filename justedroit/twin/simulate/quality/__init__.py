"""The twin's case workers and the quality of their processing: the ground truth the quality
app's estimates are judged against."""
