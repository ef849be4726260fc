using VisionAgent.Abstractions;
using VisionAgent.Onnx;
using VisionAgent.Testing;

namespace VisionAgent.Plugins.Caption.Tests;

public sealed class CaptionPluginTests(CaptionModels models) : IClassFixture<CaptionModels>, IDisposable
{
    private readonly TestExpertHost _host = new TestExpertHost().AddService(new OnnxSessionPool());
    private readonly ExpertManifest _manifest = ExpertManifestReader.ReadEmbedded(typeof(CaptionExpertModule).Assembly);

    [Theory]
    [InlineData("none", 1)]
    [InlineData("with_past", 1)]
    [InlineData("merged", 1)]
    [InlineData("none", 3)]
    [InlineData("with_past", 3)]
    [InlineData("merged", 3)]
    public async Task Caption_is_decoded_through_the_gpt2_tokenizer_with_and_without_the_cache(string cache, int beams)
    {
        var plugin = CreatePlugin(models.Cat, cache);
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));

        var result = await plugin.CaptionAsync(image.Handle, num_beams: beams);

        var report = Assert.IsType<CaptionReport>(result.Data);
        Assert.Equal("a cat sitting on a couch", report.Caption);
        Assert.Equal(models.CatTokens, report.TokenIds);
        Assert.Equal(cache, report.Cache);
        Assert.Equal("gpt2", report.Tokenizer);
        Assert.Equal("img1 caption: \"a cat sitting on a couch\"", result.Observation);
        Assert.True(result.ContainsUntrustedText);
    }

    [Fact]
    public async Task A_strip_wider_than_the_default_limit_is_captioned_when_the_hosts_limits_allow_it()
    {
        using var host = new TestExpertHost(WideStrip.Limits).AddService(new OnnxSessionPool());
        var plugin = CreatePlugin(models.Cat, "with_past", host: host);
        var image = host.Images.AddInput(WideStrip.Write(host.PathFor("strip.png")));

        var result = await plugin.CaptionAsync(image.Handle);

        Assert.Equal("a cat sitting on a couch", Assert.IsType<CaptionReport>(result.Data).Caption);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("with_past")]
    [InlineData("merged")]
    public async Task Beam_search_finds_the_likelier_caption_greedy_misses(string cache)
    {
        var plugin = CreatePlugin(models.Beam, cache);
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));

        var greedy = (CaptionReport)(await plugin.CaptionAsync(image.Handle, num_beams: 1)).Data!;
        var beam = (CaptionReport)(await plugin.CaptionAsync(image.Handle, num_beams: 2)).Data!;

        Assert.Equal("a dog", greedy.Caption);
        Assert.Equal("two cats", beam.Caption);
        // The scripted first distribution sums to 0.9, so "a" has probability 0.5 / 0.9.
        Assert.Equal(MathF.Log(0.5f / 0.9f * 0.4f), greedy.Score, 3);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("with_past")]
    public async Task No_repeat_ngram_size_stops_a_loop(string cache)
    {
        var looping = CreatePlugin(models.Loop, cache);
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));
        var looped = (CaptionReport)(await looping.CaptionAsync(image.Handle, max_length: 8, num_beams: 1)).Data!;
        var guarded = CreatePlugin(models.Loop, cache, new Dictionary<string, string> { ["no_repeat_ngram_size"] = "2" });

        var result = (CaptionReport)(await guarded.CaptionAsync(image.Handle, max_length: 8, num_beams: 1)).Data!;

        Assert.Equal("a dog and a dog and a dog", looped.Caption);
        Assert.Equal("a dog and a cat", result.Caption);
    }

    [Fact]
    public async Task Max_length_cuts_the_caption()
    {
        var plugin = CreatePlugin(models.Cat, "with_past");
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));

        var report = (CaptionReport)(await plugin.CaptionAsync(image.Handle, max_length: 3, num_beams: 1)).Data!;

        Assert.Equal("a cat sitting", report.Caption);
        Assert.Equal(3, report.Steps);
    }

    [Fact]
    public async Task Generation_config_file_sets_the_defaults()
    {
        var plugin = CreatePlugin(models.Cat, "with_past");
        var generationPath = _host.PathFor("generation_config.json");
        File.WriteAllText(generationPath, """{ "decoder_start_token_id": 50256, "eos_token_id": [50256], "max_length": 3, "num_beams": 1 }""");
        _host.Models.Add("caption", "generation_config", generationPath);
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));

        var report = (CaptionReport)(await plugin.CaptionAsync(image.Handle)).Data!;

        Assert.Equal("a cat", report.Caption);
        Assert.Equal(1, report.NumBeams);
        Assert.Equal(2, report.MaxLength);
    }

    [Fact]
    public async Task Merged_decoder_without_the_cache_still_captions()
    {
        var plugin = CreatePlugin(models.Cat, "merged", new Dictionary<string, string> { ["use_cache"] = "false" });
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));

        var report = (CaptionReport)(await plugin.CaptionAsync(image.Handle, num_beams: 2)).Data!;

        Assert.Equal("a cat sitting on a couch", report.Caption);
        Assert.Equal("none", report.Cache);
    }

    [Fact]
    public async Task Missing_model_names_the_install_command()
    {
        var plugin = (CaptionPlugin)new CaptionExpertModule().CreatePlugin(_host.CreateContext(_manifest));
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));

        var error = await Assert.ThrowsAsync<ModelMissingException>(() => plugin.CaptionAsync(image.Handle));

        Assert.Contains("visionagent models fetch caption", error.Message);
        Assert.Equal("encoder", error.ModelName);
    }

    [Fact]
    public async Task Out_of_range_beams_are_bad_input()
    {
        var plugin = CreatePlugin(models.Cat, "none");
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));

        var error = await Assert.ThrowsAsync<BadInputException>(() => plugin.CaptionAsync(image.Handle, num_beams: 99));

        Assert.Equal("caption num_beams must be between 1 and 16, not 99", error.Message);
    }

    [Fact]
    public void Manifest_lists_the_three_models_and_routing()
    {
        Assert.Equal("caption", _manifest.Name);
        Assert.True(_manifest.FindModel("encoder")!.Required);
        Assert.True(_manifest.FindModel("decoder")!.Required);
        Assert.False(_manifest.FindModel("decoder_with_past")!.Required);
        Assert.All(_manifest.Models, m => Assert.StartsWith("Apache-2.0", m.License));
        Assert.All(_manifest.Models, m => Assert.StartsWith("https://", Assert.Single(m.Sources).Url));
        Assert.NotNull(_manifest.FindModel("encoder")!.Sha256);
        Assert.NotNull(_manifest.FindModel("decoder")!.Sha256);
        Assert.Contains(_manifest.Routing.SelectMany(r => r.Examples), e => e.StartsWith("describe", StringComparison.Ordinal));
    }

    public void Dispose() => _host.Dispose();

    // The export folders hold every decoder: "none" turns the cache off, "merged" names the merged decoder.
    private CaptionPlugin CreatePlugin(string folder, string cache, IReadOnlyDictionary<string, string>? settings = null, TestExpertHost? host = null)
    {
        host ??= _host;
        host.Models.Add("caption", "encoder", Path.Combine(folder, "encoder_model.onnx"));
        if (cache == "merged") host.Models.Add("caption", "decoder", Path.Combine(folder, "decoder_model_merged.onnx"));
        var merged = new Dictionary<string, string>(settings ?? new Dictionary<string, string>());
        if (cache == "none") merged["use_cache"] = "false";
        return (CaptionPlugin)new CaptionExpertModule().CreatePlugin(host.CreateContext(_manifest, merged));
    }
}
