/**
 * QAlign and the baselines over large prompt sets on Apache Spark: {@link io.github.qalign.spark.QAlignSparkJob}
 * (a Java API over Datasets), {@link io.github.qalign.spark.PromptRunner} (the per-prompt unit of work, usable
 * without Spark) and {@link io.github.qalign.spark.QAlignSparkMain} (spark-submit or local mode). Results depend only
 * on the job seed and the prompt ids, never on partitioning, task placement or retries.
 */
package io.github.qalign.spark;
