"""Audience insights for marketers: segments, affinity, sentiment, clusters, lookalikes and trends
over a data set's behaviour, released only as differentially private aggregates
(`audiences.privacy`), and marketer questions in words (`audiences.questions`)."""
