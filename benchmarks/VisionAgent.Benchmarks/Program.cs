using VisionAgent.Testing.Rendering;

// `render-ocr-scenes DIR` writes the rendered OCR scenes that benchmarks/whole-process/ocr-vs-peer.sh reads.
if (args is ["render-ocr-scenes", var folder])
{
    string[] names = ["screenshot-1080p", "fonts", "noisy", "long-mixed-orientations"];
    var scenes = TextScene.All.Concat(TextScene.LongLines).Where(s => names.Contains(s.Name)).ToList();
    if (scenes.Count != names.Length)
    {
        Console.Error.WriteLine($"error: scenes missing: {string.Join(", ", names.Except(scenes.Select(s => s.Name)))}");
        return 2;
    }
    Directory.CreateDirectory(folder);
    foreach (var scene in scenes) Console.WriteLine(scene.Render(folder));
    return 0;
}
BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
